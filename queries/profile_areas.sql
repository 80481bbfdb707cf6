-- profile_areas: every published area (not the whole) with the kinds of data published on it.
-- Parameters: none.
-- Columns: boundary_set, area_id, name, population, kinds (list of kind names, sorted).
select boundary_set, area_id, any_value(name) as name, max(population) as population,
       list(distinct kind order by kind) as kinds
from areas
where area_id <> 'city'
group by boundary_set, area_id
order by boundary_set, area_id = 'rest', area_id;
