# Тексты отчёта, русский. Числа приходят отформатированными; счётчики — числами для множественного числа.
report = Отчёт
department = Отдел маркетинга
purpose = Назначение
scope = Охват
period = Период
compared-with = Сравнение с
generated = Сформирован
contents = Содержание
page = Страница
shared-note = Копия только для чтения по ссылке. Имена сотрудников и результаты оценки в ней не показываются.
compare-previous = предыдущим периодом
compare-year = тем же периодом год назад
compare-target = целевым значением
section-summary = Итоги
section-kpis = Ключевые показатели
section-trends = Тренды и факторы
section-channels = Каналы и кампании
section-people = Сотрудники
section-problems = Проблемные зоны
section-swot = SWOT-анализ
section-competitors = Конкуренты
section-evaluation = Результаты оценки
table-drivers = Факторы
table-anomalies = Аномалии
table-channels = Каналы
table-campaigns = Кампании
col-metric = Показатель
col-now = Этот период
col-previous = Прошлый период
col-year = Год назад
col-target = Цель
col-change = Изменение
col-significance = Значимость
col-channel = Канал
col-campaign = Кампания
col-spend = Расход
col-spend-share = Доля расхода
col-roi = ROI
col-cpa = CPA
col-person = Сотрудник
col-team = Команда
col-kpi-score = Оценка KPI
col-kpis = KPI
col-off-track = Отстают
col-result = Ценность конверсий
col-tasks = Задач выполнено
col-on-time = В срок
col-quality = Качество
col-kpi = KPI
col-owner = Ответственный
col-status = Статус
col-value = Значение
col-achievement = Выполнение
col-day = День
col-series = Ряд
col-expected = Ожидалось
col-score = Отклонение
col-competitor = Конкурент
col-months = Месяцев
col-factor = Фактор
col-contribution = Вклад
col-month = Месяц
col-final-score = Итоговая оценка
status-off_track = отстаёт
status-at_risk = под угрозой
significant = значимо (p = { $p })
not-significant = не значимо (p = { $p })
quadrant-strength = Сильные стороны
quadrant-weakness = Слабые стороны
quadrant-opportunity = Возможности
quadrant-threat = Угрозы
kind-share_of_voice = Доля голоса
kind-price = Средняя цена
kind-traffic = Визитов в месяц
us = Мы
series-spend = расход
series-clicks = клики
series-conversions = конверсии
series-orders = заказы
series-sessions = сессии
factor-sessions = Сессии
factor-orders_per_session = Заказов на сессию
factor-aov = Средний чек
factor-conversion_rate = Конверсия
factor-value_per_conversion = Ценность конверсии
factor-cpc = Цена клика
driver-order_revenue = Выручка
driver-roas = ROAS
driver-before = Было
driver-after = Стало
nothing = За этот период показать нечего.
no-people = В этом охвате ни у кого нет данных за период, или они вам не видны.
no-evaluation = Нет завершённого цикла оценки с сотрудниками, которыми вы руководите.
no-competitors = Данных о конкурентах за этот период нет (Отчёты → Конкуренты).
no-problems = Ни один KPI не отстаёт и не под угрозой.
eval-bands = Итоговые оценки по диапазонам
kpi-changes = Изменение по сравнению с { $compare }
mail-attached = Полный отчёт во вложении: { $file }.
s-metric-change = { $metric }: { $now } против { $before } ({ $change }) по сравнению с { $compare }.
s-metric-flat = { $metric }: { $now }, без изменений по сравнению с { $compare }.
s-metric-only = { $metric }: { $now }; значения для сравнения с { $compare } нет.
s-significant = Изменение показателя «{ $metric }» статистически значимо: p = { $p }.
s-not-significant = Изменение показателя «{ $metric }» не значимо (p = { $p }): оно может быть случайным.
s-target = { $metric }: выполнено { $achievement } цели ({ $target }).
s-driver = { $metric }: с { $before } до { $after } ({ $change }). { $parts }.
s-driver-part = { $factor } { $amount }
s-trend-up = За двенадцать месяцев { $metric } растёт на { $slope } в месяц (95% интервал от { $low } до { $high }).
s-trend-down = За двенадцать месяцев { $metric } снижается на { $slope } в месяц (95% интервал от { $low } до { $high }).
s-trend-flat = За двенадцать месяцев у показателя «{ $metric }» нет явного тренда: изменение в месяц лежит между { $low } и { $high }.
s-channel-best = Лучшая отдача у канала «{ $name }»: ROI { $roi } при доле расхода { $share }.
s-channel-worst = Худшая отдача у канала «{ $name }»: ROI { $roi } при доле расхода { $share }.
s-campaigns-losing = { $count ->
    [one] { $count } кампания ушла в убыток
    [few] { $count } кампании ушли в убыток
   *[many] { $count } кампаний ушли в убыток
} (ROI ниже нуля); на них пришлось { $share } расхода.
s-problems = { $off ->
    [one] { $off } KPI отстаёт
    [few] { $off } KPI отстают
   *[many] { $off } KPI отстают
}, под угрозой — { $risk }.
s-problem-worst = Сильнее всего отстаёт { $metric } ({ $scope }): { $achievement } цели.
s-no-problems = Все KPI периода ({ $count }) идут по плану.
s-anomalies = { $count ->
    [one] { $count } день выделяется
    [few] { $count } дня выделяются
   *[many] { $count } дней выделяются
} в дневных рядах; сильнее всего — { $series } { $day }: { $value } при ожидаемых примерно { $expected }.
s-no-anomalies = Ни один из { $days } { $days ->
    [one] дня
   *[other] дней
} периода не выделяется по расходу, кликам, конверсиям, заказам и сессиям.
s-people = { $count ->
    [one] У { $count } сотрудника
   *[other] У { $count } сотрудников
} есть оценка KPI; медиана — { $median }.
s-competitor = { $kind }: у нас { $ours }; лидер среди конкурентов — { $name } ({ $theirs }).
s-competitor-none = { $kind }: лидер среди конкурентов — { $name } ({ $theirs }); нашего значения нет.
s-evaluation = В цикле «{ $cycle }» медиана итоговой оценки — { $median } ({ $count ->
    [one] { $count } сотрудник
    [few] { $count } сотрудника
   *[many] { $count } сотрудников
}).
