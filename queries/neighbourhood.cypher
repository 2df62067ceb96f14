// name: neighbourhood
// params: node (node_id) the entity to start from; hops (int, 1-3) how far to go; limit (int) most rows
// purpose: every entity within `hops` relationships of a node, with its distance, closest first
MATCH (n:Entity {id: $node})
MATCH p = (n)-[*1..3]-(m:Entity)
WHERE length(p) <= $hops AND m <> n
WITH m, min(length(p)) AS distance
RETURN m.id AS id, distance
ORDER BY distance, id
LIMIT $limit
