// name: daily_amounts
// params: none
// purpose: the amount transferred per UTC day and currency (day as YYYY-MM-DD, currency ('' when missing), amount as written rounded to cents, count), days without transfers left out, oldest first. Currencies are never added together: the base-currency timeline is made from these rows (graphbench.analytics.money_overview.daily_in_base)
// stamps are stored as UTC YYYY-MM-DDTHH:MM:SSZ text, so a day is the first ten characters
MATCH ()-[t:TRANSFERRED]->()
WHERE t.ts IS NOT NULL
RETURN substring(t.ts, 0, 10) AS day, coalesce(t.currency, '') AS currency, round(sum(t.amount), 2) AS amount,
       count(*) AS count
ORDER BY day, currency
