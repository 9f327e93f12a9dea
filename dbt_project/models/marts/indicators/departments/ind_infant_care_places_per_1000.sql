{{ department_per_1000_residents('infant_care_places_per_1000', 'infant_care_places',
    '3岁以下婴幼儿托位数 ÷ 年末常住人口（千人）',
    '托育机构备案统计口径；常住人口取统计局分区县表') }}
