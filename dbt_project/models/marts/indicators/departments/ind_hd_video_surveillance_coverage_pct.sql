with

counts as (

    select * from {{ ref('stg_departments__department_report_counts') }}

),

computed as (

    select
        area_code,
        year,
        100.0 * hd_video_covered_key_areas / nullif(key_public_areas, 0) as value,
        hd_video_covered_key_areas as numerator,
        key_public_areas as denominator,
        is_synthetic
    from counts

)

{{ indicator_rows('hd_video_surveillance_coverage_pct', 'computed', '高清以上视频监控覆盖的重点公共区域数 ÷ 重点公共区域数 × 100', '公安机关重点公共区域视频监控建设（雪亮工程）统计口径') }}
