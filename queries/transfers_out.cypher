// name: transfers_out
// params: channel (node_id) a PaymentChannel id; limit (int) most rows
// purpose: transfers paid out of a payment channel, in time order
MATCH (c:PaymentChannel {id: $channel})-[t:TRANSFERRED]->(d:PaymentChannel)
RETURN t.tx_id AS tx_id, c.id AS from, d.id AS to, t.amount AS amount, t.currency AS currency, t.ts AS ts
ORDER BY ts, tx_id
LIMIT $limit
