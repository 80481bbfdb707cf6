-- survival_tables: whether the live release has a time-to-re-arrest table (releases published before issue 23,
-- or without a life-table extract, have none), so the Outcomes page says so instead of failing.
-- Parameters: none.
-- Columns: table_name
select table_name
from information_schema.tables
where table_name = 'life_table'
order by table_name;
