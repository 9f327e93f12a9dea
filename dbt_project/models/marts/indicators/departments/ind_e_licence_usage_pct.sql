{{ department_share_pct('e_licence_usage_pct', 'e_licence_uses', 'licence_verifications',
    '电子证照使用次数 ÷ 证照核验总次数 × 100',
    '政务服务电子证照应用统计口径') }}
