-- profile_coverage: how many non-zero figures of the profile's headline measures are published for each area in
--                   the latest full year of each kind (the year and its quarters; withheld cells and zeros do not
--                   count), so the profile opens on an area whose charts and figures have something to show.
-- Parameters: $measures (comma-separated 'kind.measure' pairs, e.g. 'referrals.all,overdoses.nonfatal_ed').
-- Columns: area_id, published (how many published non-zero values), most first.
with chosen as (
    select * from measure_values
    where period_type in ('year', 'quarter') and list_contains(string_split($measures, ','), kind || '.' || measure)
),
latest as (
    select kind, max(period) as year from chosen where period_type = 'year' group by kind
)
select area_id, count(*) filter (where not withheld and count > 0) as published
from chosen join latest using (kind)
where area_id <> 'city' and left(period, 4) = latest.year
group by area_id
order by published desc, area_id;
