/**
 * The fonts of the official documents: DejaVu Serif from the `dejavu-fonts-ttf` npm package (a serif face
 * close to Times New Roman that covers every Vietnamese letter with its diacritics), so the PDF and DOCX
 * embed them and render the same on any machine, with nothing installed on the host.
 */
export const DOCUMENT_FONTS = {
  regular: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSerif.ttf'),
  bold: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSerif-Bold.ttf'),
  italic: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSerif-Italic.ttf'),
  boldItalic: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSerif-BoldItalic.ttf'),
} as const;

export const DOCUMENT_FONT_NAME = 'DejaVu Serif';
