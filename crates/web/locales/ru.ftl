app-name = mkpi
app-tagline = Эффективность отдела маркетинга

nav-home = Главная
nav-people = Сотрудники
nav-users = Пользователи
nav-audit = Журнал изменений
nav-account = Профиль
nav-api = API
nav-logout = Выйти
nav-language = Язык

role-admin = Администратор
role-head = Руководитель отдела
role-manager = Руководитель группы
role-employee = Сотрудник
role-viewer = Наблюдатель

login-title = Вход
login-login = Логин
login-password = Пароль
login-submit = Войти
login-wrong = Неверный логин или пароль.
login-rate-limited = Слишком много неудачных попыток входа. Повторите через { $minutes } { $minutes ->
    [one] минуту
    [few] минуты
   *[many] минут
}.
login-expired = Сеанс завершён. Войдите снова.
login-csrf = Форма входа устарела. Попробуйте ещё раз.

home-title = Главная
home-welcome = Добро пожаловать, { $name }!
home-department = Отдел
home-teams = Группы
home-headcount = Численность по группам
home-your-scope = Вам доступны: { $scope }
scope-all = весь отдел
scope-teams = ваши группы
scope-self = ваши собственные данные
scope-nobody = пока ничего (учётная запись не связана с сотрудником)
people-count = { $count } { $count ->
    [one] сотрудник
    [few] сотрудника
   *[many] сотрудников
}
teams-count = { $count } { $count ->
    [one] группа
    [few] группы
   *[many] групп
}
team-manager = Руководитель
team-members = Состав
team-parent = Входит в

people-title = Сотрудники
people-name = Имя
people-position = Должность
people-team = Группа
people-manager = Руководитель
people-hire-date = Дата приёма
people-status = Статус
people-active = работает
people-inactive = не работает
people-none = Здесь никого нет.
person-title = Сотрудник
person-email = Эл. почта

account-title = Профиль
account-language = Язык интерфейса
account-language-auto = Язык браузера
account-save = Сохранить
account-password = Смена пароля
account-current-password = Текущий пароль
account-new-password = Новый пароль
account-password-changed = Пароль изменён. Остальные сеансы завершены.
account-tokens = API-токены
account-token-name = Название токена
account-token-create = Создать токен
account-token-created = Скопируйте токен сейчас, больше он показан не будет:
account-token-revoke = Отозвать
account-token-prefix = Начинается с
account-token-last-used = Последнее использование
account-token-revoked = отозван
account-never = никогда

users-title = Пользователи
users-login = Логин
users-role = Роль
users-employee = Сотрудник
users-status = Статус
users-create = Создать пользователя
users-employee-email = Эл. почта сотрудника (для администратора, руководителя отдела и наблюдателя необязательна)
users-locale = Язык
users-deactivate = Отключить
users-activate = Включить
users-reset = Сбросить пароль
users-reset-done = Новый пароль для { $login }: { $password }
users-created = Пользователь { $login } создан.

audit-title = Журнал изменений
audit-when = Когда
audit-who = Кто
audit-action = Действие
audit-what = Что
audit-before = До
audit-after = После

error-title = Ошибка
error-not-found = Не найдено.
error-forbidden = У вас нет прав на это действие.
error-csrf = Форма устарела или отправлена не из mkpi. Обновите страницу и повторите.
error-internal = Произошла ошибка на нашей стороне. Идентификатор запроса: { $id }.
error-invalid = Исправьте, пожалуйста:
error-back = На главную
no-value = —

nav-imports = Импорт
imports-title = Импорт данных
imports-upload = Загрузить файл
imports-preset = Формат
imports-file = Файл
imports-dry-run = Пробный прогон: проверить и посчитать, ничего не сохранять
imports-submit = Импортировать
imports-help = CSV или TSV в UTF-8, UTF-16 или Windows-1251 либо книга XLSX (первый лист); форматы описаны в docs/import-formats.md. Для автоматизации есть приём JSON-пакетов через
imports-history = История
imports-none = Пока ничего не загружено.
imports-rollback = Откатить
imports-status-applied = применён
imports-status-rolled_back = откачен
imports-applied = Импортировано, № { $id }.
imports-rejected = { $count ->
    [one] Найдена { $count } проблема: ничего не сохранено.
    [few] Найдено { $count } проблемы: ничего не сохранено.
   *[many] Найдено { $count } проблем: ничего не сохранено.
}
imports-dry-run-ok = Пробный прогон: проблем нет. Снимите «Пробный прогон» и импортируйте, чтобы сохранить строки.
imports-detected = Определено: { $encoding }, разделитель «{ $delimiter }», заголовок в строке { $row }.
imports-read = Прочитано строк
imports-added = Добавлено
imports-updated = Обновлено
imports-unchanged = Без изменений
imports-rejected-rows = Отклонено
imports-row = Строка
imports-column = Столбец
imports-value = Значение
imports-reason = Проблема
imports-preview = Просмотр
imports-preview-title = { $file }: первые строки и сопоставление
imports-field = Поле
imports-ignore = — пропустить —
imports-mapping-help = Каждая колонка идёт в поле, выбранное над ней; * — обязательные поля. Измените выбор, чтобы сопоставить колонки, которых пресет не знает.
imports-save-as = Сохранить сопоставление как (имя, необязательно)
imports-mapping-toml = Сопоставление как файл (TOML)
imports-saved = сохранённое
imports-mappings = Сохранённые сопоставления
imports-delete-mapping = Удалить
imports-campaigns-created = { $count ->
    [one] Из отчёта создана { $count } новая кампания.
    [few] Из отчёта созданы { $count } новые кампании.
   *[many] Из отчёта создано { $count } новых кампаний.
}
imports-data-held = Загруженные данные
imports-fact = Факт
imports-rows = Строк
imports-from = С
imports-to = По
fact-campaigns = Кампании
fact-ad_stats = Рекламная статистика
fact-web_traffic = Трафик сайта
fact-orders = Заказы и сделки
fact-lead_stages = Этапы лидов
fact-survey_responses = Ответы на опросы
fact-social_stats = Соцсети
fact-time_entries = Учёт времени
fact-tasks = Задачи
imports-manual = Ввести строку вручную
imports-manual-open = Открыть форму
imports-manual-save = Сохранить строку
imports-manual-help = Для показателей, которых нет ни в одной выгрузке. Строка проверяется как импортированная, записывается как импорт (источник «manual») и может быть откачена; строка с тем же ключом заменяет сохранённую.
imports-mapping-write = Напишите или вставьте сопоставление (TOML, см. docs/import-formats.md)
imports-mapping-save = Проверить и сохранить сопоставление
imports-changes = Сохранённые значения, которые меняет этот файл (первые 50 строк)
imports-key = Ключ
imports-before = Сохранено
imports-after = Из файла

nav-dashboard = Дашборд
dash-title = Дашборд отдела
dash-range-month = Этот месяц
dash-range-last-month = Прошлый месяц
dash-range-quarter = Этот квартал
dash-range-last-quarter = Прошлый квартал
dash-range-year = Этот год
dash-range-last-year = Прошлый год
dash-from = С
dash-to = По
dash-compare = Сравнить с
dash-compare-previous = Предыдущим периодом
dash-compare-year = Тем же периодом год назад
dash-show = Показать
dash-period = { $from } – { $to }
dash-so-far = пока по { $to }
dash-versus = в сравнении с { $from } – { $to }
dash-was = было { $value }
dash-target = цель { $value }
dash-forecast = прогноз { $value }
dash-other-kpis = Другие KPI
dash-channels = Трафик по каналам
dash-channel = Канал
dash-sessions = Визиты
dash-share = Доля
dash-conversions = Конверсии
dash-no-traffic = За этот период нет данных веб-аналитики.
dash-campaigns = Кампании по расходу
dash-campaign = Кампания
dash-owner = Ответственный
dash-spend = Расход
dash-value = Ценность конверсий
dash-no-campaigns = За этот период нет рекламной статистики.
status-on_track = В графике
status-at_risk = Под угрозой
status-off_track = Отстаёт
status-no_data = Нет данных
card-title = Карта результатов
card-kpis = KPI
card-score = взвешенное выполнение { $value }
card-source = Для кого
card-source-own = сотрудник
card-source-team = команда
card-source-campaign = его кампания
card-value = Значение
card-target = Цель
card-achievement = Выполнение
card-status = Статус
card-weight = Вес
card-unscored = { $count ->
    [one] { $count } KPI пока без значения или цели и не входит во взвешенное выполнение (не считается нулём).
    [few] { $count } KPI пока без значения или цели и не входят во взвешенное выполнение (не считаются нулём).
   *[other] { $count } KPI пока без значения или цели и не входят во взвешенное выполнение (не считаются нулём).
}
card-no-kpis = На этот период KPI не заданы.
card-time = Время по кампаниям
card-hours = Часы
card-result = Его доля ценности конверсий
card-per-hour = В час
card-no-campaign = Вне кампаний
card-no-time = За этот период время не учтено.
team-kpi-score = Выполнение KPI
team-tasks-done = Задач выполнено
team-on-time = В срок
checkin-title = Отметки о ходе работы
checkin-when = Когда
checkin-confidence = Уверенность
checkin-comment = Комментарий
checkin-none = Отметок пока нет.
checkin-add = Отметить
checkin-confidence-5 = 5 — точно выполним
checkin-confidence-4 = 4 — скорее да
checkin-confidence-3 = 3 — не уверены
checkin-confidence-2 = 2 — скорее нет
checkin-confidence-1 = 1 — не выполним
oneonone-title = Заметки встреч 1:1
oneonone-none = Нет заметок 1:1, доступных вам.
oneonone-shared = общая
oneonone-next = Следующие шаги
oneonone-date = Дата встречи
oneonone-notes = Заметки
oneonone-share = Показать не только нам двоим (её прочтут те, кто видит сотрудника)
oneonone-add = Сохранить заметки
flag-title = На кого обратить внимание
flag-none = За последние три месяца никто не выделяется.
flag-top_performer = Лучший результат
flag-needs_support = Нужна поддержка
flag-over = выполнение KPI { $values } за { $span }
flag-off-track = выполнение KPI ниже 90%: { $values } за { $span }
flag-falling = выполнение KPI падает: { $values } за { $span }
flag-quality = среднее качество задач { $values } по { $span } оценённым задачам
nav-metrics = Метрики
metrics-title = Каталог метрик
metrics-intro = Каждая метрика — формула над базовыми показателями, по суммам за период; при нулевом знаменателе значения нет (—).
metrics-code = Код
metrics-name = Название
metrics-formula = Формула
metrics-unit = Единица
metrics-better = Лучше, когда
metrics-version = Версия
metrics-custom = своя
metrics-direction-higher = больше
metrics-direction-lower = меньше
metrics-define = Добавить свою метрику
metrics-description = Описание
metrics-measures = Базовые показатели
metrics-save = Проверить и сохранить
metrics-saved = Метрика { $code } сохранена.
dev-title = План развития
dev-none = Действий по развитию пока нет.
dev-none-planned = действие ещё не запланировано
dev-action = Действие
dev-kind = Вид
dev-owner = Ответственный
dev-due-on = Срок
dev-due = срок { $date }
dev-status = Статус
dev-note = Зачем и чего ждём
dev-because = Причина
dev-add = Запланировать
dev-overdue = просрочено
dev-kind-training = Обучение
dev-kind-mentoring = Наставничество
dev-kind-coaching = Коучинг
dev-kind-stretch_assignment = Задача на вырост
dev-kind-other = Другое
dev-status-planned = запланировано
dev-status-in_progress = в работе
dev-status-done = выполнено
dev-status-cancelled = отменено
dev-move-in_progress = Начать
dev-move-done = Выполнено
dev-move-cancelled = Отменить
nav-alerts = Оповещения
alert-title = Оповещения
alert-recent = Оповещения за неделю
alert-all = Все оповещения
alert-none = За это время оповещений нет.
alert-when = Когда
alert-what = Что
alert-numbers = Цифры
alert-days = { $days } дн.
alert-kind-off_track = Отстаёт от плана
alert-kind-change = Резкое изменение
alert-off-line = { $value } при цели { $target }, прогноз { $forecast } ({ $from } – { $to })
alert-change-line = { $change } за неделю: { $value } против { $previous } неделей раньше (неделя по { $to })
alert-explain = mkpi проверяет каждый действующий KPI раз в четверть часа: оповещение появляется, когда KPI начинает отставать от плана или за неделю меняется больше, чем на заданный для него процент. Тем, кого оно касается, оно приходит и по почте, если почта настроена.
nav-explore = Обзор кампаний
explore-title = Обзор кампаний
explore-by-org = По командам и людям
explore-by-channel = По каналам
explore-department = Отдел
explore-part = Часть
explore-day = День
explore-share = Доля
explore-total = Итого
explore-empty = За этот период показать нечего.
explore-explain = каждый коэффициент считается по суммам своей строки; итог сотрудника учитывает каждую кампанию по его доле.
card-trend = По месяцам
