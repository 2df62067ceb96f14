// name: shared_identifiers
// params: account (node_id) an Account id
// purpose: other accounts that share a phone, e-mail or payment channel with the account, and which
MATCH (a:Account {id: $account})-[:HAS_PHONE|HAS_EMAIL|USES]->(x)<-[:HAS_PHONE|HAS_EMAIL|USES]-(b:Account)
WHERE b <> a
RETURN DISTINCT b.id AS account, x.id AS identifier
ORDER BY account, identifier
