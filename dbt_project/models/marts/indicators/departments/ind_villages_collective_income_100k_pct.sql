{{ department_share_pct('villages_collective_income_100k_pct', 'villages_collective_income_100k', 'administrative_villages',
    '集体经济收入10万元以上行政村数 ÷ 行政村数 × 100',
    '农村集体经济统计（农经统计）口径') }}
