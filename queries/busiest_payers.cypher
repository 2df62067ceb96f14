// name: busiest_payers
// params: limit (int) most rows
// purpose: the payment channels that paid out the most transfers, most first, ties by id (the Money page's busiest payers)
// COUNT of one typed relationship pattern is read from the node's degree, not by expanding it
MATCH (c:PaymentChannel)
WITH c, COUNT { (c)-[:TRANSFERRED]->() } AS transfers
WHERE transfers > 0
RETURN c.id AS channel, transfers
ORDER BY transfers DESC, channel
LIMIT $limit
