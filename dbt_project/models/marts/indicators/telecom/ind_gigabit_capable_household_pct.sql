with

households as (

    select * from {{ ref('stg_telecom__district_broadband_households') }}

),

computed as (

    select
        area_code,
        year,
        100.0 * gigabit_capable_households / nullif(households, 0) as value,
        gigabit_capable_households as numerator,
        households as denominator,
        is_synthetic
    from households

)

{{ indicator_rows('gigabit_capable_household_pct', 'computed', '具备千兆接入能力户数 ÷ 家庭户数 × 100（各运营商去重：全网行）', '工业和信息化部通信业统计；千兆接入能力=10G-PON端口覆盖') }}
