// name: channel_holders
// params: ids (ids) payment channel ids, ';'-separated
// purpose: how many accounts hold each channel (use it, or posted a listing that accepts it): the count the popularity rule (escrows, exchanges) is applied to
// bounded by each channel's own relationships; a channel id that is not in the store gives no row
UNWIND $ids AS id
MATCH (c:PaymentChannel {id: id})
RETURN c.id AS channel,
       COUNT { MATCH (a:Account)-[:USES]->(c) RETURN a
               UNION
               MATCH (a:Account)-[:POSTED]->(:Listing)-[:ACCEPTS]->(c) RETURN a } AS accounts
ORDER BY channel
