/*
 * Orders' commands: placing an order, and moving orders through their
 * lifecycle (owners, customers, the rider simulator and payments' events),
 * and expiring the orders nobody acts on.
 */
export { placeOrder, type PlaceOrderInput } from './placeOrder';
export { changeOrder, moveOrders, transitionOrder, type OrderMove } from './moveOrders';
export { payOrders } from './payOrders';
export { expireOrders, type ExpiredOrders } from './expireOrders';
