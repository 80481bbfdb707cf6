-- official_population: a place's July 1 resident population by year, Census Bureau PEP (the latest vintage
-- where two give a year), from the agencies' figures a release carries.
-- Parameters: $geo_id ('35049' Santa Fe County, '35' New Mexico).
-- Columns: year, population
select period as year, value as population
from official
where source = 'census_pep' and measure = 'population' and geo_id = $geo_id and not withheld
order by year;
