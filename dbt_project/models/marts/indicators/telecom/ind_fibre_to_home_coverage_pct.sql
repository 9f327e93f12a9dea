with

households as (

    select * from {{ ref('stg_telecom__district_broadband_households') }}

),

computed as (

    select
        area_code,
        year,
        100.0 * ftth_households / nullif(households, 0) as value,
        ftth_households as numerator,
        households as denominator,
        is_synthetic
    from households

)

{{ indicator_rows('fibre_to_home_coverage_pct', 'computed', '光纤入户户数 ÷ 家庭户数 × 100（各运营商去重：全网行）', '工业和信息化部通信业统计（固定宽带接入）；光纤入户=FTTH接入') }}
