-- outcomes_tables: which of the outcome and cost tables the live release has (a release published before
-- issue 13, or without those extracts, has none of them), so pages show their empty state instead of failing.
-- Parameters: none.
-- Columns: table_name
select table_name
from information_schema.tables
where table_name in ('outcomes', 'costs', 'outcome_groups')
order by table_name;
