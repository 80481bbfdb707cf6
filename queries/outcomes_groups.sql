-- outcomes_groups: how each outcome group is defined, as staff uploaded it (shown on the Outcomes page).
-- Parameters: none.
-- Columns: group ('lead' | 'comparison'), definition_en, definition_es (may be empty: the page shows English)
select "group", definition_en, definition_es
from outcome_groups
order by "group";
