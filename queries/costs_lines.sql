-- costs_lines: every published cost line: program spending by payer, participants served and participant-months,
-- and "system as usual" unit costs with their sources, by fiscal year (ending 30 June of fiscal_year).
-- Parameters: none.
-- Columns: fiscal_year, item, item_type ('program_spending' | 'participants' | 'unit_cost'), payer, amount (NULL
--          when withheld), unit, source, withheld
select fiscal_year, item, item_type, payer, amount, unit, source, withheld
from costs
order by fiscal_year, item_type, item, payer;
