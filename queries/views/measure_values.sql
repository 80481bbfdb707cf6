-- measure_values (view): one row per published cell of every mapped measure, in one shape, for the map and
-- the area profile. Columns: kind, measure ('all' for referrals; the engagement measure; the overdose
-- outcome with drug 'any'; the offence or 'all'), period_type, period, area_id, count, withheld, rate,
-- rate_unstable.
create view measure_values as
select 'referrals' as kind, 'all' as measure, period_type, period, area_id, count, withheld,
       cast(null as double) as rate, cast(null as boolean) as rate_unstable
from referrals where pathway = 'all' and agency = 'all'
union all
select 'engagement', measure, period_type, period, area_id, count, withheld, null, null
from engagement
union all
select 'overdoses', outcome, period_type, period, area_id, count, withheld, rate, rate_unstable
from overdoses where drug = 'any'
union all
select 'property_crime', offense, period_type, period, area_id, count, withheld, rate, rate_unstable
from property_crime;
