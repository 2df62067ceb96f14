// name: transfers_in
// params: channel (node_id) a PaymentChannel id; limit (int) most rows
// purpose: transfers paid into a payment channel, in time order
MATCH (c:PaymentChannel)-[t:TRANSFERRED]->(d:PaymentChannel {id: $channel})
RETURN t.tx_id AS tx_id, c.id AS from, d.id AS to, t.amount AS amount, t.currency AS currency, t.ts AS ts
ORDER BY ts, tx_id
LIMIT $limit
