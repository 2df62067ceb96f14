// name: channel_type_flows
// params: none
// purpose: money between payment channel types per currency and UTC day (source, target, currency ('' when missing), day as YYYY-MM-DD, amount as written rounded to cents, count), by source, target, currency, day; money inside one type left out. Currencies are never added together: base-currency totals are made from these rows (graphbench.analytics.money_overview.flows_in_base)
// the channel type is the id's second part (PaymentChannel:paypal:…), as flows.channel_type_of reads it
MATCH (a:PaymentChannel)-[t:TRANSFERRED]->(b:PaymentChannel)
WHERE t.ts IS NOT NULL
WITH CASE WHEN size(split(a.id, ':')) > 2 THEN split(a.id, ':')[1] ELSE a.id END AS source,
     CASE WHEN size(split(b.id, ':')) > 2 THEN split(b.id, ':')[1] ELSE b.id END AS target,
     coalesce(t.currency, '') AS currency, substring(t.ts, 0, 10) AS day, t.amount AS amount
WHERE source <> target
RETURN source, target, currency, day, round(sum(amount), 2) AS amount, count(*) AS count
ORDER BY source, target, currency, day
