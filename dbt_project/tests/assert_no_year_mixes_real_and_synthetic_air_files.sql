-- the synthetic air-quality sample (2021-2025) never mixes with or replaces real CNEMC files of the same year
select
    year(report_date) as year,
    count(distinct starts_with(source_file_name, 'synthetic_')) as kinds
from {{ source('cnemc', 'air_quality__cnemc_city_hourly') }}
group by 1
having count(distinct starts_with(source_file_name, 'synthetic_')) > 1
