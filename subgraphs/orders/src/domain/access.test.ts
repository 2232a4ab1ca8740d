import { canPayOrder, canViewOrder } from './access';

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
