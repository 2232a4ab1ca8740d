import { refusalOf } from '@baedal/platform/testing';
import {
  canPayOrder,
  canViewOrder,
  requireOrderViewer,
  requireOrderingCustomer,
  requireOrdersOf,
  requireOwnShopOrders,
  requireShopOrdersViewer,
  requireVisibleOrder,
} from './access';

const order = { customerId: 'c1', shopOwnerId: 'o1' };

describe('canViewOrder', () => {
  it('lets the customer, the shop owner and admins see an order', () => {
    expect(canViewOrder(order, { userId: 'c1', role: 'CUSTOMER' })).toBe(true);
    expect(canViewOrder(order, { userId: 'o1', role: 'OWNER' })).toBe(true);
    expect(canViewOrder(order, { userId: 'a1', role: 'ADMIN' })).toBe(true);
  });

  it('hides it from everyone else', () => {
    expect(canViewOrder(order, { userId: 'c2', role: 'CUSTOMER' })).toBe(false);
    expect(canViewOrder(order, { userId: 'o2', role: 'OWNER' })).toBe(false);
    expect(canViewOrder(order, { userId: null, role: 'ANONYMOUS' })).toBe(false);
    // An owner id that happens to equal the customer's does not grant customer rights across roles.
    expect(canViewOrder(order, { userId: 'o1', role: 'CUSTOMER' })).toBe(false);
  });
});

describe('canPayOrder', () => {
  it('is the customer, while the order waits for payment', () => {
    expect(canPayOrder({ ...order, status: 'PENDING_PAYMENT' }, { userId: 'c1', role: 'CUSTOMER' })).toBe(true);
    expect(canPayOrder({ ...order, status: 'PLACED' }, { userId: 'c1', role: 'CUSTOMER' })).toBe(false);
    expect(canPayOrder({ ...order, status: 'PENDING_PAYMENT' }, { userId: 'o1', role: 'OWNER' })).toBe(false);
    expect(canPayOrder({ ...order, status: 'PENDING_PAYMENT' }, { userId: 'a1', role: 'ADMIN' })).toBe(false);
  });
});

describe('requireOrderViewer and requireVisibleOrder', () => {
  it('refuse an anonymous caller before the order is read, and anyone without a part in it after', () => {
    expect(refusalOf(() => requireOrderViewer({ userId: null, role: 'ANONYMOUS' }))).toBe('UNAUTHENTICATED');
    expect(refusalOf(() => requireOrderViewer({ userId: 'c2', role: 'CUSTOMER' }))).toBe('allowed');
    expect(refusalOf(() => requireVisibleOrder(order, { userId: 'c2', role: 'CUSTOMER' }))).toBe('FORBIDDEN');
    expect(refusalOf(() => requireVisibleOrder(order, { userId: 'o1', role: 'OWNER' }))).toBe('allowed');
  });
});

describe("a shop's orders", () => {
  it('are for owners and admins', () => {
    expect(requireShopOrdersViewer({ userId: 'o1', role: 'OWNER' })).toBe('o1');
    expect(refusalOf(() => requireShopOrdersViewer({ userId: 'c1', role: 'CUSTOMER' }))).toBe('FORBIDDEN');
    expect(refusalOf(() => requireShopOrdersViewer({ userId: null, role: 'ANONYMOUS' }))).toBe('UNAUTHENTICATED');
  });

  it("are the shop's owner's, or any admin's", () => {
    expect(refusalOf(() => requireOwnShopOrders({ ownerId: 'o1' }, { userId: 'o1', role: 'OWNER' }))).toBe('allowed');
    expect(refusalOf(() => requireOwnShopOrders({ ownerId: 'o1' }, { userId: 'a1', role: 'ADMIN' }))).toBe('allowed');
    expect(refusalOf(() => requireOwnShopOrders({ ownerId: 'o1' }, { userId: 'o2', role: 'OWNER' }))).toBe('FORBIDDEN');
  });
});

describe("a customer's orders", () => {
  it('are theirs to see, and admins', () => {
    expect(refusalOf(() => requireOrdersOf('c1', { userId: 'c1', role: 'CUSTOMER' }))).toBe('allowed');
    expect(refusalOf(() => requireOrdersOf('c1', { userId: 'a1', role: 'ADMIN' }))).toBe('allowed');
    expect(refusalOf(() => requireOrdersOf('c1', { userId: 'c2', role: 'CUSTOMER' }))).toBe('FORBIDDEN');
    expect(refusalOf(() => requireOrdersOf('c1', { userId: 'o1', role: 'OWNER' }))).toBe('FORBIDDEN');
  });
});

describe('placing orders and listing their own', () => {
  it('is for customers', () => {
    expect(requireOrderingCustomer({ userId: 'c1', role: 'CUSTOMER' })).toBe('c1');
    expect(refusalOf(() => requireOrderingCustomer({ userId: 'o1', role: 'OWNER' }))).toBe('FORBIDDEN');
    expect(refusalOf(() => requireOrderingCustomer({ userId: null, role: 'ANONYMOUS' }))).toBe('UNAUTHENTICATED');
  });
});
