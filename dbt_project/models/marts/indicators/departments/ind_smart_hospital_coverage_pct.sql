{{ department_share_pct('smart_hospital_coverage_pct', 'smart_hospitals', 'hospitals_grade_2_plus',
    '智慧医院数 ÷ 二级以上医院数 × 100',
    '卫生健康委智慧医院评价（电子病历、智慧服务、智慧管理分级评价）') }}
