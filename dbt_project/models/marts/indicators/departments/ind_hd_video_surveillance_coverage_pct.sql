{{ department_share_pct('hd_video_surveillance_coverage_pct', 'hd_video_covered_key_areas', 'key_public_areas',
    '高清以上视频监控覆盖的重点公共区域数 ÷ 重点公共区域数 × 100',
    '公安机关重点公共区域视频监控建设（雪亮工程）统计口径') }}
