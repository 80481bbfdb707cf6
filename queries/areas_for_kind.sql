-- areas_for_kind: the published areas of one measure family, whole area first.
-- Parameters: $kind ('referrals', 'engagement', 'overdoses' or 'property_crime').
-- Columns: area_id, name, population, boundary_set
select area_id, name, population, boundary_set
from areas
where kind = $kind
order by area_id <> 'city', name;
