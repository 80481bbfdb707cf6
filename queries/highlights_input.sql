-- highlights_input: yearly and quarterly series compared on Home (city level; areas for property crime).
-- Parameters: none.
-- Columns: measure, area_id, period_type, period, count (NULL when withheld), withheld
select 'referrals' as measure, area_id, period_type, period, count, withheld
from referrals
where area_id = 'city' and pathway = 'all' and agency = 'all' and period_type in ('year', 'quarter')
union all
select 'engagement.' || measure, area_id, period_type, period, count, withheld
from engagement
where area_id = 'city' and period_type in ('year', 'quarter')
union all
select 'overdoses.' || outcome, area_id, period_type, period, count, withheld
from overdoses
where area_id = 'city' and drug = 'any' and period_type in ('year', 'quarter')
union all
select 'property_crime.' || offense, area_id, period_type, period, count, withheld
from property_crime
where period_type in ('year', 'quarter') and (area_id = 'city' or offense = 'all')
order by measure, area_id, period_type, period;
