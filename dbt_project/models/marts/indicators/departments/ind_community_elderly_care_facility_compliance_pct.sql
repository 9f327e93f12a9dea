{{ department_share_pct('community_elderly_care_facility_compliance_pct', 'elderly_care_compliant_communities', 'communities_requiring_elderly_care',
    '社区养老服务设施配建达标社区数 ÷ 应配建社区数 × 100',
    '城市居住区养老服务设施配建标准（民政部门）') }}
