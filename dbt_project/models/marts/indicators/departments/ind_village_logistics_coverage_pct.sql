{{ department_share_pct('village_logistics_coverage_pct', 'logistics_covered_villages', 'eligible_villages',
    '农村物流服务覆盖的具备条件行政村数 ÷ 具备条件行政村数 × 100',
    '交通运输部门农村物流服务体系统计口径') }}
