/*
 * Shops' commands: accounts (signing up and in), and the owner dashboard's
 * shops and menus.
 */
export { accountSessions, closeAccount, login, signUp, SIGNED_UP, type SignedIn, type SigningIn } from './accounts';
export {
  deleteMenuItem,
  registerShop,
  setMenuItemSoldOut,
  setShopOpen,
  updateShop,
  upsertMenuGroup,
  upsertMenuItem,
  type MenuItemCommand,
  type ShopInput,
} from './shops';
