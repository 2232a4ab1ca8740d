import { randomUUID } from 'node:crypto';
import { createReviewsClient } from '@baedal/prisma/reviews';
import { createShopsClient } from '@baedal/prisma/shops';
import { bearer, codes, graphql, login, type GraphQLResponse } from './support/graphql';
import { eventually, startTestPlatform, type TestPlatform } from './support/stack';

/*
 * A review's life through the gateway: written within a week of delivery with
 * photos, answered and re-answered by the shop's owner, edited and deleted by
 * its author within three days, hidden by an admin. Every refusal writes
 * nothing, and the shop's rating and review count follow within 2 s.
 */

const BASE = 15400;
const FRESH_MS = 2000;
const DAY_MS = 24 * 3600_000;
let platform: TestPlatform;
let url: string;
let reviewsDb: ReturnType<typeof createReviewsClient>;
let customer: { token: string; userId: string };
let other: { token: string; userId: string };
let owner: { token: string; userId: string };
let otherOwner: { token: string; userId: string };
let admin: { token: string; userId: string };
let shopId: string;
let area: string;

beforeAll(async () => {
  platform = await startTestPlatform('reviews', BASE, 10);
  url = platform.gatewayUrl;
  reviewsDb = createReviewsClient(platform.databaseUrl('reviews'), 2);
  [customer, other, owner, otherOwner, admin] = await Promise.all(
    ['customer1', 'customer2', 'owner1', 'owner2', 'admin'].map((name) => login(url, `${name}@baedal.dev`)),
  );
  const shopsDb = createShopsClient(platform.databaseUrl('shops'), 1);
  const shop = await shopsDb.shop.findFirstOrThrow({ where: { ownerId: owner.userId } });
  [shopId, area] = [shop.id, shop.deliveryAreas[0]];
  await shopsDb.$disconnect();
}, 180_000);

afterAll(async () => {
  await reviewsDb?.$disconnect();
  await platform?.stop();
}, 60_000);

const WRITE = 'mutation($input: WriteReviewInput!) { writeReview(input: $input) { id rating photos } }';
const EDIT = 'mutation($input: EditReviewInput!) { editReview(input: $input) { rating text editedAt } }';
const DELETE = 'mutation($id: ID!) { deleteReview(reviewId: $id) }';
const REPLY = 'mutation($id: ID!, $t: String!) { replyToReview(reviewId: $id, text: $t) { reply { text editedAt } } }';
const HIDE = 'mutation($id: ID!, $r: String!) { hideReview(reviewId: $id, reason: $r) { id } }';
const DETAIL = `query($id: ID!) { shop(id: $id) {
  rating reviewCount reviews(first: 50) { id rating text photos reply { text } }
} }`;

/** An order of `customer`'s at the owner's shop, delivered `daysAgo` days ago: reviewable, as order.delivered leaves it. */
async function delivered(daysAgo = 0): Promise<string> {
  const orderId = randomUUID();
  await reviewsDb.reviewableOrder.create({
    data: {
      orderId,
      customerId: customer.userId,
      shopId,
      shopOwnerId: owner.userId,
      deliveredAt: new Date(Date.now() - daysAgo * DAY_MS),
    },
  });
  return orderId;
}

const LIST =
  'query($area: DeliveryArea!) { shops(area: $area, first: 50) { edges { node { id rating reviewCount } } } }';
const detail = async () => (await graphql(url, DETAIL, { id: shopId })).data.shop;
const listed = async () =>
  (await graphql(url, LIST, { area })).data.shops.edges.find((e: { node: { id: string } }) => e.node.id === shopId)
    ?.node;
const totals = async () =>
  (await reviewsDb.shopRating.findUnique({ where: { shopId } })) ?? { reviewCount: 0, ratingSum: 0 };
/** Waits until the detail and the list show `count` reviews with `sum` stars in all (one decimal of the average). */
const statsBecome = (count: number, sum: number) =>
  eventually(
    `the detail and the list to show ${count} reviews, ${sum} stars`,
    async () => {
      const rating = Math.round((10 * sum) / count) / 10;
      const [inDetail, inList] = await Promise.all([detail(), listed()]);
      return [inDetail, inList].every((shop) => shop?.reviewCount === count && shop.rating === rating);
    },
    FRESH_MS,
  );

interface ShownReview {
  id: string;
  text: string;
  reply: { text: string } | null;
}
/** Waits until the shop's page shows review `id` as `looks` wants it. */
const shows = (id: string, looks: (review: ShownReview) => boolean) =>
  eventually(
    `review ${id} on the shop's page`,
    async () => {
      const review = ((await detail()).reviews as ShownReview[]).find((r) => r.id === id);
      return review !== undefined && looks(review);
    },
    FRESH_MS,
  );

async function write(rating: number, photos?: string[]): Promise<string> {
  const written = await graphql(
    url,
    WRITE,
    { input: { orderId: await delivered(), rating, text: '맛있어요', photos } },
    bearer(customer.token),
  );
  expect(written.errors).toBeUndefined();
  return written.data.writeReview.id;
}

it('takes a review with photos within 7 days of delivery, and refuses a late one or bad photos, writing nothing', async () => {
  const before = await totals();
  const photos = ['https://img.baedal.dev/a.jpg', 'https://img.baedal.dev/b.jpg'];
  const id = await write(2, photos);
  await statsBecome(before.reviewCount + 1, before.ratingSum + 2);
  expect((await detail()).reviews.find((r: { id: string }) => r.id === id)).toMatchObject({ photos, rating: 2 });

  const late = await delivered(8);
  const refused = await graphql(
    url,
    WRITE,
    { input: { orderId: late, rating: 5, text: '늦게' } },
    bearer(customer.token),
  );
  expect(codes(refused)).toEqual(['REVIEW_WINDOW_CLOSED']);
  const fresh = await delivered();
  for (const bad of [['http://img.baedal.dev/a.jpg'], Array.from({ length: 6 }, (_, n) => `https://i.dev/${n}.jpg`)]) {
    const answer = await graphql(
      url,
      WRITE,
      { input: { orderId: fresh, rating: 5, text: '사진', photos: bad } },
      bearer(customer.token),
    );
    expect([codes(answer), answer.errors?.[0].extensions?.field]).toEqual([['BAD_USER_INPUT'], 'photos']);
  }
  const asOwner = await graphql(
    url,
    WRITE,
    { input: { orderId: fresh, rating: 5, text: '우리 가게' } },
    bearer(owner.token),
  );
  expect(codes(asOwner)).toEqual(['FORBIDDEN']);
  expect(await reviewsDb.review.count({ where: { orderId: { in: [late, fresh] } } })).toBe(0);
});

it("lets the shop's owner reply once and edit the reply; no one else", async () => {
  const id = await write(5);
  for (const [who, code] of [
    [otherOwner, 'FORBIDDEN'],
    [customer, 'FORBIDDEN'],
    [admin, 'FORBIDDEN'],
  ] as const)
    expect(codes(await graphql(url, REPLY, { id, t: '감사합니다' }, bearer(who.token)))).toEqual([code]);
  expect(codes(await graphql(url, REPLY, { id, t: ' ' }, bearer(owner.token)))).toEqual(['BAD_USER_INPUT']);

  const first = await graphql(url, REPLY, { id, t: '감사합니다' }, bearer(owner.token));
  expect(first.data.replyToReview.reply).toEqual({ text: '감사합니다', editedAt: null });
  await shows(id, (review) => review.reply?.text === '감사합니다');
  // The shop's page, kept by the gateways, shows the edited reply within 2 s too.
  const again = await graphql(url, REPLY, { id, t: '또 오세요' }, bearer(owner.token));
  expect(again.data.replyToReview.reply).toMatchObject({ text: '또 오세요', editedAt: expect.any(String) });
  await shows(id, (review) => review.reply?.text === '또 오세요');
});

it('lets its author edit within 3 days, and the rating follows; no one else, and not later', async () => {
  const id = await write(1);
  const before = await totals();
  expect(codes(await graphql(url, EDIT, { input: { reviewId: id, rating: 5 } }, bearer(other.token)))).toEqual([
    'FORBIDDEN',
  ]);
  const bad = await graphql(url, EDIT, { input: { reviewId: id, rating: 9 } }, bearer(customer.token));
  expect([codes(bad), bad.errors?.[0].extensions?.field]).toEqual([['BAD_USER_INPUT'], 'rating']);
  const edited = await graphql(url, EDIT, { input: { reviewId: id, rating: 4 } }, bearer(customer.token));
  expect(edited.data.editReview).toMatchObject({ rating: 4, text: '맛있어요', editedAt: expect.any(String) });
  await statsBecome(before.reviewCount, before.ratingSum + 3);
  // A change of text alone moves no stats, and the shop's page shows it within 2 s all the same.
  expect((await graphql(url, EDIT, { input: { reviewId: id, text: '바삭해요' } }, bearer(customer.token))).errors).toBe(
    undefined,
  );
  await shows(id, (review) => review.text === '바삭해요');

  await reviewsDb.review.update({ where: { id }, data: { createdAt: new Date(Date.now() - 3 * DAY_MS - 60_000) } });
  const late = await graphql(url, EDIT, { input: { reviewId: id, text: '다시' } }, bearer(customer.token));
  expect(codes(late)).toEqual(['EDIT_WINDOW_CLOSED']);
  expect(codes(await graphql(url, DELETE, { id }, bearer(customer.token)))).toEqual(['EDIT_WINDOW_CLOSED']);
  expect((await reviewsDb.review.findUniqueOrThrow({ where: { id } })).text).toBe('바삭해요');
});

it('lets its author delete it: it leaves the list and the rating, and the order stays reviewed', async () => {
  const id = await write(3);
  const before = await totals();
  expect(codes(await graphql(url, DELETE, { id }, bearer(other.token)))).toEqual(['FORBIDDEN']);
  expect((await graphql(url, DELETE, { id }, bearer(customer.token))).data.deleteReview).toBe(id);
  await statsBecome(before.reviewCount - 1, before.ratingSum - 3);
  expect((await detail()).reviews.map((r: { id: string }) => r.id)).not.toContain(id);
  expect(codes(await graphql(url, DELETE, { id }, bearer(customer.token)))).toEqual(['NOT_FOUND']);
  const { orderId } = await reviewsDb.review.findUniqueOrThrow({ where: { id } });
  const again = await graphql(url, WRITE, { input: { orderId, rating: 5, text: '다시' } }, bearer(customer.token));
  expect(codes(again)).toEqual(['CONFLICT']);
});

it('lets an admin hide it, with a reason: it leaves the list and the rating', async () => {
  const id = await write(1);
  const before = await totals();
  expect(codes(await graphql(url, HIDE, { id, r: '욕설' }, bearer(owner.token)))).toEqual(['FORBIDDEN']);
  expect(codes(await graphql(url, HIDE, { id, r: '' }, bearer(admin.token)))).toEqual(['BAD_USER_INPUT']);
  expect((await graphql(url, HIDE, { id, r: '욕설' }, bearer(admin.token))).data.hideReview.id).toBe(id);
  await statsBecome(before.reviewCount - 1, before.ratingSum - 1);
  expect((await detail()).reviews.map((r: { id: string }) => r.id)).not.toContain(id);
  expect(codes(await graphql(url, HIDE, { id, r: '욕설' }, bearer(admin.token)))).toEqual(['NOT_FOUND']);
  expect(codes(await graphql(url, EDIT, { input: { reviewId: id, rating: 5 } }, bearer(customer.token)))).toEqual([
    'FORBIDDEN',
  ]);
  expect(codes(await graphql(url, REPLY, { id, t: '죄송합니다' }, bearer(owner.token)))).toEqual(['NOT_FOUND']);
});

describe("a shop's reviews, a page at a time", () => {
  const PAGE = `query($id: ID!, $first: Int!, $after: String, $sort: ReviewSort!) { shop(id: $id) {
    reviewsConnection(first: $first, after: $after, sort: $sort) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } }
  } }`;

  /** Every review id, following `endCursor` three at a time. */
  async function pages(sort: string): Promise<string[]> {
    const ids: string[] = [];
    let after: string | null = null;
    for (;;) {
      const answer: GraphQLResponse = await graphql(url, PAGE, { id: shopId, first: 3, after, sort });
      expect(answer.errors).toBeUndefined();
      const { edges, pageInfo } = answer.data.shop.reviewsConnection as {
        edges: { node: { id: string } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
      ids.push(...edges.map((e) => e.node.id));
      if (!pageInfo.hasNextPage) return ids;
      after = pageInfo.endCursor;
    }
  }

  it('pages through every review that shows, in each sort, with no repeat and no gap', async () => {
    for (const rating of [5, 1, 3, 5]) await write(rating);
    const showing = await reviewsDb.review.findMany({ where: { shopId, deletedAt: null, hiddenAt: null } });
    const newest = (a: (typeof showing)[number], b: (typeof showing)[number]) =>
      b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1);
    const expected = {
      NEWEST: [...showing].sort(newest),
      HIGHEST_RATING: [...showing].sort((a, b) => b.rating - a.rating || newest(a, b)),
      LOWEST_RATING: [...showing].sort((a, b) => a.rating - b.rating || newest(a, b)),
    };
    expect(showing.length).toBeGreaterThan(6);
    for (const [sort, reviews] of Object.entries(expected)) {
      expect([sort, await pages(sort)]).toEqual([sort, reviews.map((r) => r.id)]);
    }
  });

  it('refuses a cursor of another sort, one it never gave, and a page size out of bounds', async () => {
    const first = await graphql(url, PAGE, { id: shopId, first: 1, sort: 'NEWEST' });
    const cursor = first.data.shop.reviewsConnection.pageInfo.endCursor as string;
    for (const [variables, field] of [
      [{ after: cursor, sort: 'HIGHEST_RATING', first: 3 }, 'after'],
      [{ after: 'not-a-cursor', sort: 'NEWEST', first: 3 }, 'after'],
      [{ sort: 'NEWEST', first: 0 }, 'first'],
      [{ sort: 'NEWEST', first: 51 }, 'first'],
    ] as const) {
      const answer = await graphql(url, PAGE, { id: shopId, ...variables });
      expect([variables, codes(answer), answer.errors?.[0].extensions?.field]).toEqual([
        variables,
        ['BAD_USER_INPUT'],
        field,
      ]);
    }
  });
});
