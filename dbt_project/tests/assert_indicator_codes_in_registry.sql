-- every indicator value belongs to an indicator of the plan registry
select distinct indicator_code
from {{ ref('indicator_values') }}
where indicator_code not in (select indicator_code from {{ ref('registry_indicators') }})
