// name: listings_with_hashtag
// params: tag (hashtag) with or without '#'; limit (int) most rows
// purpose: listings tagged with a hashtag, with who posted them, oldest first
MATCH (l:Listing)-[:TAGGED]->(:Hashtag {id: $tag})
OPTIONAL MATCH (a:Account)-[:POSTED]->(l)
RETURN l.id AS listing, a.id AS account, l.title AS title, l.posted_at AS posted_at
ORDER BY posted_at, listing
LIMIT $limit
