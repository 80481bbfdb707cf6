-- official_yearly_deaths: yearly drug deaths as an agency published them (CDC WONDER's years; CDC VSRR's
-- 12 months ending December), with the crude rate on that year's Census PEP population.
-- Parameters: $source ('cdc_wonder' or 'cdc_vsrr'), $geo_id ('35049' Santa Fe County, '35' New Mexico).
-- Columns: year, deaths (NULL when withheld), withheld, rate (per 100,000; NULL when withheld or no
--          population), population, flag (the source's own), definition, citation
select substr(period, 1, 4) as year, value as deaths, withheld, rate, population, flag, definition, citation
from official
where source = $source and geo_id = $geo_id and measure in ('drug_deaths', 'drug_overdose_deaths')
  and (period_type = 'year' or period like '%-12')
order by year;
