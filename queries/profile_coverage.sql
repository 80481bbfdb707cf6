-- profile_coverage: how many figures of the profile's headline measures are published for each area (years
--                   and quarters; withheld cells do not count), so the profile opens on a well-covered area.
-- Parameters: $measures (comma-separated 'kind.measure' pairs, e.g. 'referrals.all,overdoses.nonfatal_ed').
-- Columns: area_id, published (how many published values), most first.
select area_id, count(*) filter (where not withheld and count is not null) as published
from measure_values
where area_id <> 'city' and period_type in ('year', 'quarter')
  and list_contains(string_split($measures, ','), kind || '.' || measure)
group by area_id
order by published desc, area_id;
