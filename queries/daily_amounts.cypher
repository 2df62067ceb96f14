// name: daily_amounts
// params: none
// purpose: the amount transferred per UTC day (day as YYYY-MM-DD, amount rounded to cents), days without transfers left out, oldest first
// stamps are stored as UTC YYYY-MM-DDTHH:MM:SSZ text, so a day is the first ten characters
MATCH ()-[t:TRANSFERRED]->()
WHERE t.ts IS NOT NULL
RETURN substring(t.ts, 0, 10) AS day, round(sum(t.amount), 2) AS amount
ORDER BY day
