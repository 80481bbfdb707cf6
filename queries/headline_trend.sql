-- headline_trend: yearly totals of the four headline measures for the small trend lines on Home.
-- Parameters: none.
-- Columns: measure, period, count (NULL when withheld), withheld
select 'referrals' as measure, period, count, withheld
from referrals where period_type = 'year' and area_id = 'city' and pathway = 'all' and agency = 'all'
union all
select 'engaged', period, count, withheld
from engagement where period_type = 'year' and area_id = 'city' and measure = 'engaged_case_management'
union all
select 'overdose_deaths', period, count, withheld
from overdoses where period_type = 'year' and area_id = 'city' and outcome = 'fatal' and drug = 'any'
union all
select 'residential_burglary', period, count, withheld
from property_crime where period_type = 'year' and area_id = 'city' and offense = 'residential_burglary'
order by measure, period;
