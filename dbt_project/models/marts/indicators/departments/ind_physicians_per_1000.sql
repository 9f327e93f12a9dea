{{ department_per_1000_residents('physicians_per_1000', 'licensed_physicians',
    '执业（助理）医师数 ÷ 年末常住人口（千人）',
    '卫生健康统计调查制度；常住人口取统计局分区县表') }}
