import { randomUUID } from 'node:crypto';
import { badInput } from '@baedal/platform';
import type { MenuOptionGroupDoc } from '@baedal/contracts';
import { LIMITS, requireDescription, requireName, requireWon } from './shopRules';

export interface OptionGroupInput {
  name: string;
  minSelect: number;
  maxSelect: number;
  options: { name: string; price: number }[];
}

export interface MenuItemInput {
  name: string;
  description?: string | null;
  price: number;
  optionGroups?: OptionGroupInput[] | null;
}

/** Option groups as stored: validated, with fresh ids. */
export function validateOptionGroups(
  groups: OptionGroupInput[],
  newId: () => string = randomUUID,
): MenuOptionGroupDoc[] {
  if (groups.length > LIMITS.optionGroups)
    throw badInput('optionGroups', `An item has at most ${LIMITS.optionGroups} option groups`);
  return groups.map((group, g) => {
    const field = `optionGroups[${g}]`;
    const name = requireName(`${field}.name`, group.name, LIMITS.groupName);
    if (group.options.length === 0 || group.options.length > LIMITS.options) {
      throw badInput(`${field}.options`, `An option group has 1 to ${LIMITS.options} options`);
    }
    const options = group.options.map((option, o) => ({
      id: newId(),
      name: requireName(`${field}.options[${o}].name`, option.name, LIMITS.itemName),
      price: requireWon(`${field}.options[${o}].price`, option.price, LIMITS.price),
    }));
    if (!Number.isInteger(group.minSelect) || group.minSelect < 0 || group.minSelect > options.length) {
      throw badInput(`${field}.minSelect`, `minSelect must be from 0 to the number of options (${options.length})`);
    }
    if (
      !Number.isInteger(group.maxSelect) ||
      group.maxSelect < Math.max(1, group.minSelect) ||
      group.maxSelect > options.length
    ) {
      throw badInput(
        `${field}.maxSelect`,
        `maxSelect must be from max(1, minSelect) to the number of options (${options.length})`,
      );
    }
    return { id: newId(), name, minSelect: group.minSelect, maxSelect: group.maxSelect, options };
  });
}

export function validateMenuItem(input: MenuItemInput) {
  return {
    name: requireName('name', input.name, LIMITS.itemName),
    description: requireDescription('description', input.description),
    price: requireWon('price', input.price, LIMITS.price),
    optionGroups: input.optionGroups ? validateOptionGroups(input.optionGroups) : undefined,
  };
}

export function validateGroupName(name: string): string {
  return requireName('name', name, LIMITS.groupName);
}
