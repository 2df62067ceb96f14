// name: transfers_by_id
// params: ids (ids) transfer ids, ';'-separated
// purpose: the transfers with these ids (a pattern's, to draw it), in time order, through the tx_id index
// the hint pins the index seek: a plan cached while the type was nearly empty may scan instead
UNWIND $ids AS id
MATCH (a)-[t:TRANSFERRED {tx_id: id}]->(b)
USING INDEX t:TRANSFERRED(tx_id)
RETURN a.id AS start, b.id AS end, t.tx_id AS tx_id, t.amount AS amount, t.currency AS currency, t.ts AS ts
ORDER BY ts, tx_id, start, end
