import { badInput, connectionOf, decodeCursor, pageSize } from '@baedal/platform';
import type { Prisma, Review } from '@baedal/prisma/reviews';
import { db } from './db';

/*
 * A shop's reviews a page at a time, by keyset: each sort orders by its key
 * and then newest first, and a cursor holds the last review's key (and its
 * sort, so a cursor is never read under another).
 */

export type ReviewSort = 'NEWEST' | 'HIGHEST_RATING' | 'LOWEST_RATING';

const ORDER: Record<ReviewSort, Prisma.ReviewOrderByWithRelationInput[]> = {
  NEWEST: [{ createdAt: 'desc' }, { id: 'desc' }],
  HIGHEST_RATING: [{ rating: 'desc' }, { createdAt: 'desc' }, { id: 'desc' }],
  LOWEST_RATING: [{ rating: 'asc' }, { createdAt: 'desc' }, { id: 'desc' }],
};

/** The reviews after the one with key (rating, createdAt, id), under `sort`. */
function after(sort: ReviewSort, rating: number, createdAt: Date, id: string): Prisma.ReviewWhereInput {
  const newer = [{ createdAt: { lt: createdAt } }, { createdAt, id: { lt: id } }];
  if (sort === 'NEWEST') return { OR: newer };
  const beyond = sort === 'HIGHEST_RATING' ? { lt: rating } : { gt: rating };
  return { OR: [{ rating: beyond }, ...newer.map((tie) => ({ rating, ...tie }))] };
}

export async function reviewsConnection(
  shopId: string,
  first: number,
  cursor: string | null | undefined,
  sort: ReviewSort,
) {
  const size = pageSize(first, 10);
  const key = decodeCursor(cursor, 4);
  if (key && key[0] !== sort) throw badInput('after', 'this cursor belongs to another sort');
  const rows: Review[] = await db.review.findMany({
    where: {
      shopId,
      deletedAt: null,
      hiddenAt: null,
      ...(key ? after(sort, key[1] as number, new Date(key[2] as string), key[3] as string) : {}),
    },
    orderBy: ORDER[sort],
    take: size + 1,
  });
  return connectionOf(rows, size, (node) => [sort, node.rating, node.createdAt.toISOString(), node.id]);
}
