// name: channel_type_flows
// params: none
// purpose: money between payment channel types (source, target, amount rounded to cents, count), largest first; money inside one type and negative totals left out
// the channel type is the id's second part (PaymentChannel:paypal:…), as flows.channel_type_of reads it
MATCH (a:PaymentChannel)-[t:TRANSFERRED]->(b:PaymentChannel)
WITH CASE WHEN size(split(a.id, ':')) > 2 THEN split(a.id, ':')[1] ELSE a.id END AS source,
     CASE WHEN size(split(b.id, ':')) > 2 THEN split(b.id, ':')[1] ELSE b.id END AS target,
     t.amount AS amount
WHERE source <> target
WITH source, target, round(sum(amount), 2) AS amount, count(*) AS count
WHERE amount >= 0
RETURN source, target, amount, count
ORDER BY amount DESC, source, target
