{{ department_share_pct('smart_campus_coverage_pct', 'smart_campus_schools', 'primary_secondary_schools',
    '智慧校园达标学校数 ÷ 中小学校数 × 100',
    '山东省中小学智慧校园建设基本要求') }}
