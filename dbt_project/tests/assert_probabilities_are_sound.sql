-- A probability of meeting a milestone is stated from at least 5 annual points and always then (with a projected
-- value), never exactly 0 or 1 (a degenerate fit), always with the model that gives it and the prediction interval
-- beside it.
select
    indicator_code,
    area_code,
    year,
    milestone_year,
    n_points,
    probability_meet,
    probability_model
from {{ ref('indicator_progress') }}
where method = 'projection'
    and (
        (probability_meet is not null and (
            n_points < 5
            or probability_meet <= 0
            or probability_meet >= 1
            or probability_model is null
            or prediction_low is null
            or prediction_high is null
        ))
        -- (a cumulative target's points include its zero start: its probability needs 5 annual amounts)
        or (probability_meet is null and n_points >= 5 and projected_value is not null
            and coalesce(baseline_source, '') <> 'cumulative_zero')
    )
