// name: account_listings
// params: account (node_id) an Account id; limit (int) most rows
// purpose: what an account posted, newest first
MATCH (:Account {id: $account})-[:POSTED]->(l:Listing)
RETURN l.id AS listing, l.title AS title, l.price AS price, l.currency AS currency, l.posted_at AS posted_at, l.url AS url
ORDER BY posted_at DESC, listing
LIMIT $limit
