/** How many follow-ups a report or page lists (the most severe first); the count says how many there are in all. */
export const FOLLOW_UP_SECTION_ROWS = 20;

/** The words the report's and the dashboard's follow-up sections share: the empty state and the table's columns. */
export const FOLLOW_UP_WORDS = {
  vi: {
    none: 'Không có số liệu nào cần kiểm tra lại.',
    headers: ['Đơn vị', 'Ngày số liệu', 'Mức độ', 'Quy tắc', 'Nội dung', 'Trạng thái'],
  },
  en: {
    none: 'No figure needs checking.',
    headers: ['Unit', 'Date of the figures', 'Severity', 'Rule', 'What is wrong', 'Status'],
  },
} as const;
