-- Customer counts (new, repeat, churned) look up each customer's paid orders by date:
-- this index answers those lookups without reading the orders themselves.
CREATE INDEX orders_paid_by_customer ON orders (status, customer_id, date);
