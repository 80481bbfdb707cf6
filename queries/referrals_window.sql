-- referrals_window: published referral rows whose period lies wholly inside a month range.
-- Parameters: $start, $end ('YYYY-MM', inclusive), $area (an area_id, 'city' for the whole area, '*' for every area).
-- Columns: period, period_type, area_id, pathway, agency, count (NULL when withheld), withheld
with t as (
    select *,
           case period_type when 'month' then period
                when 'quarter' then substr(period, 1, 5) || lpad(cast(cast(substr(period, 7, 1) as integer) * 3 - 2 as varchar), 2, '0')
                else period || '-01' end as first_month,
           case period_type when 'month' then period
                when 'quarter' then substr(period, 1, 5) || lpad(cast(cast(substr(period, 7, 1) as integer) * 3 as varchar), 2, '0')
                else period || '-12' end as last_month
    from referrals
)
select period, period_type, area_id, pathway, agency, count, withheld
from t
where first_month >= $start and last_month <= $end and ($area = '*' or area_id = $area)
order by period_type, period, area_id, pathway, agency;
