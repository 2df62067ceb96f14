// name: species_listings
// params: species (species) a scientific name, any capitalisation; limit (int) most rows
// purpose: listings that mention a species, how the mention was written, and who posted them
MATCH (l:Listing)-[m:MENTIONS]->(:Species {id: 'Species:' + $species})
OPTIONAL MATCH (a:Account)-[:POSTED]->(l)
RETURN l.id AS listing, a.id AS account, m.term AS term, m.match AS match, l.posted_at AS posted_at
ORDER BY posted_at, listing
LIMIT $limit
