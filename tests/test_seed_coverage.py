"""Structure coverage of the five seed documents.

For each seed, the list below names every section, sub-section and table of the seed text
(shared/seeds/00N_….txt), in the seed's order, with the heading text or table caption that is its
counterpart in the generated plan of the same kind. A counterpart is found by:

- "h": a heading ("3.1. Kết quả đạt được") or a sub-heading inside a commentary section
  ("3.1.1. Công tác …"), number included, compared case-insensitively;
- "t": a table caption;
- "p": a sentence of the document (lead-in, closing), for the few parts that are sentences.

The items are searched one after the other in document order, so the seed's order is checked
too. Coverage = items found / items listed; the test asks for 100%.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from kehoach_nb.model import Closing, Heading, Paragraph, Table, walk
from kehoach_nb.plans import build_report

SEEDS = Path(__file__).parent.parent / "params" / "seeds"
DEV = "ke_hoach_phat_trien_giao_duc"


def _norm(s: str) -> str:
    return " ".join(unicodedata.normalize("NFC", s).casefold().split())


def outline(doc) -> list[tuple[str, str]]:
    """(kind, text) of every heading, sub-heading, table and sentence, in document order."""
    out = []
    for b in walk(doc.blocks):
        if isinstance(b, Heading):
            out.append(("h", _norm(f"{b.number} {b.title}")))
        elif isinstance(b, Paragraph):
            out.append(("h" if b.style == "subheading" else "p", _norm(b.text)))
        elif isinstance(b, Table):
            out.append(("t", _norm(b.caption)))
        elif isinstance(b, Closing):
            out.append(("p", _norm(b.sentence)))
    return out


def coverage(doc, items: list[tuple[str, str, str]]) -> tuple[float, list[str]]:
    """Share of the seed's items found in order, and the seed labels of those missing."""
    seen, pos, missing = outline(doc), 0, []
    for label, kind, needle in items:
        hit = next((i for i in range(pos, len(seen))
                    if seen[i][0] == kind and _norm(needle) in seen[i][1]), None)
        if hit is None:
            missing.append(label)
        else:
            pos = hit
    return (len(items) - len(missing)) / len(items), missing


SEED000 = [
    ("Phần thứ nhất: báo cáo kết quả năm học 2022-2023", "h", "Phần thứ nhất BÁO CÁO KẾT QUẢ THỰC HIỆN NĂM HỌC 2022-2023"),
    ("A- Đặc điểm tình hình", "h", "A. ĐẶC ĐIỂM TÌNH HÌNH"),
    ("1. Thực trạng phát triển giáo dục của đơn vị", "h", "1. Thực trạng phát triển giáo dục của đơn vị"),
    ("1.1. Tình hình mạng lưới giáo dục, quy mô", "h", "1.1. Quy mô, mạng lưới"),
    ("Số lớp, học sinh theo khối (1.1)", "t", "Số lớp, số học sinh theo khối lớp"),
    ("1.2. Tình hình phát triển đội ngũ", "h", "1.2. Đội ngũ"),
    ("Đội ngũ (1.2)", "t", "Đội ngũ cán bộ quản lý, giáo viên, nhân viên năm học 2022-2023"),
    ("1.3. Tình hình thực hiện cơ sở vật chất", "h", "1.3. Cơ sở vật chất"),
    ("Phòng học, phòng chức năng (1.3)", "t", "Phòng học, phòng chức năng năm học 2022-2023"),
    ("1.4. Tình hình thực hiện các chính sách", "h", "1.4. Tình hình thực hiện các chính sách"),
    ("B- Kết quả thực hiện năm học 2022-2023", "h", "B. KẾT QUẢ THỰC HIỆN NĂM HỌC 2022-2023"),
    ("1. Quy mô, mạng lưới lớp, học sinh", "h", "1. Quy mô, mạng lưới lớp, học sinh"),
    ("1.1. Kết quả đạt được", "h", "1.1. Kết quả đạt được"),
    ("1.2. Hạn chế và nguyên nhân", "h", "1.2. Hạn chế"),
    ("2. Giáo dục Tiểu học", "h", "2. Giáo dục tiểu học"),
    ("2.1. Kết quả đạt được", "h", "2.1. Kết quả đạt được"),
    ("Biểu chất lượng cuối năm", "t", "Chất lượng giáo dục cuối năm học 2022-2023"),
    ("2.2. Hạn chế, nguyên nhân", "h", "2.2. Hạn chế, nguyên nhân"),
    ("3. Chính trị tư tưởng", "h", "3. Chính trị tư tưởng"),
    ("3.1. Kết quả đạt được", "h", "3.1. Kết quả đạt được"),
    ("3.1.1. Công tác Giáo dục chính trị", "h", "3.1.1. Công tác Giáo dục chính trị"),
    ("3.1.2. Công tác giáo dục dân tộc", "h", "3.1.2. Công tác giáo dục dân tộc"),
    ("3.1.3. Giáo dục thể chất, thể thao và y tế", "h", "3.1.3. Công tác giáo dục thể chất và thể thao và y tế"),
    ("3.1.4. Công tác GDQP-AN", "h", "3.1.4. Công tác GDQP-AN"),
    ("3.2. Hạn chế, nguyên nhân", "h", "3.2. Hạn chế, nguyên nhân"),
    ("4. Quản lý chất lượng giáo dục", "h", "4. Quản lý chất lượng giáo dục"),
    ("4.1. Kết quả đạt được", "h", "4.1. Kết quả đạt được"),
    ("4.1: thi chọn học sinh giỏi", "h", "Tổ chức, tham dự các kỳ thi chọn học sinh giỏi"),
    ("4.1: coi thi vào lớp 10", "h", "coi thi vào lớp 10"),
    ("4.1: kiểm định, trường chuẩn", "h", "Công tác kiểm định chất lượng giáo dục, xây dựng trường chuẩn"),
    ("4.2. Hạn chế, nguyên nhân", "h", "4.2. Hạn chế, nguyên nhân"),
    ("5. Thanh tra, kiểm tra", "h", "5. Thanh tra, kiểm tra"),
    ("5.1. Kết quả đạt được", "h", "5.1. Kết quả đạt được"),
    ("5.2. Hạn chế, nguyên nhân", "h", "5.2. Hạn chế, nguyên nhân"),
    ("6. Tổ chức cán bộ", "h", "6. Tổ chức cán bộ"),
    ("6.1. Kết quả đạt được", "h", "6.1. Kết quả đạt được"),
    ("6.1: sắp xếp, bố trí", "h", "Sắp xếp, bố trí công việc"),
    ("6.1: đào tạo, bồi dưỡng", "h", "Đào tạo, bồi dưỡng"),
    ("6.1: đánh giá chuẩn nghề nghiệp", "h", "Đánh giá chuẩn nghề nghiệp giáo viên"),
    ("6.2. Hạn chế, nguyên nhân", "h", "6.2. Hạn chế, nguyên nhân"),
    ("7. Tài chính, CNTT và chuyển đổi số", "h", "7. Kế hoạch tài chính"),
    ("7.1. Kết quả đạt được", "h", "7.1. Kết quả đạt được"),
    ("7.1.1. Công tác tài chính", "h", "7.1.1. Công tác tài chính"),
    ("7.1.2. Công tác thống kê, kế hoạch", "h", "7.1.2. Công tác thống kê, kế hoạch"),
    ("7.1.3. Tăng cường cơ sở vật chất", "h", "7.1.3. Tăng cường cơ sở vật chất"),
    ("7.1.4. Huy động xã hội hóa", "h", "7.1.4. Huy động xã hội hóa"),
    ("7.1.5. CNTT và chuyển đổi số", "h", "7.1.5. Công nghệ thông tin và chuyển đổi số"),
    ("7.2. Hạn chế, nguyên nhân", "h", "7.2. Hạn chế, nguyên nhân"),
    ("8. Công tác Văn phòng", "h", "8. Công tác văn phòng"),
    ("8.1. Kết quả đạt được", "h", "8.1. Kết quả đạt được"),
    ("8.1.1. Thi đua, khen thưởng", "h", "8.1.1. Công tác thi đua, khen thưởng"),
    ("8.1.2. Pháp chế", "h", "8.1.2. Công tác pháp chế"),
    ("8.1.3. Cải cách hành chính", "h", "8.1.3. Công tác cải cách hành chính"),
    ("8.1.4. Tổng hợp", "h", "8.1.4. Công tác tổng hợp"),
    ("8.1.5. Công tác Đảng", "h", "8.1.5. Công tác Đảng trong trường học"),
    ("8.1.6. Truyền thông", "h", "8.1.6. Công tác truyền thông"),
    ("8.1.7. Thư viện", "h", "8.1.7. Công tác thư viện trường học"),
    ("8.2. Hạn chế, nguyên nhân", "h", "8.2. Hạn chế, nguyên nhân"),
    ("9. Công tác Công đoàn", "h", "9. Công tác Công đoàn"),
    ("9.1. Kết quả đạt được", "h", "9.1. Kết quả đạt được"),
    ("9.2. Hạn chế, nguyên nhân", "h", "9.2. Hạn chế, nguyên nhân"),
    ("Phần thứ hai: kế hoạch năm học 2023-2024", "h", "Phần thứ hai KẾ HOẠCH PHÁT TRIỂN GIÁO DỤC NĂM HỌC 2023-2024"),
    ("A. Cơ sở pháp lý", "h", "A. CƠ SỞ PHÁP LÝ"),
    ("Căn cứ thực tế (last basis)", "p", "Căn cứ tình hình thực tiễn của nhà trường"),
    ("B. Nội dung kế hoạch", "h", "B. NỘI DUNG KẾ HOẠCH"),
    ("1. Quy mô, mạng lưới lớp, học sinh", "h", "1. Quy mô, mạng lưới lớp, học sinh"),
    ("1.1. Mục tiêu, chỉ tiêu", "h", "1.1. Mục tiêu, chỉ tiêu"),
    ("Bảng kế hoạch 2022-2023 / 2023-2024, tăng (giảm)", "t", "Quy mô trường, lớp, học sinh năm học 2023-2024"),
    ("Biện pháp thực hiện (1)", "h", "1.2. Các biện pháp, giải pháp"),
    ("2. Giáo dục Tiểu học", "h", "2. Giáo dục tiểu học"),
    ("2.1. Mục tiêu, chỉ tiêu", "h", "2.1. Mục tiêu, chỉ tiêu"),
    ("2.2. Các biện pháp, giải pháp", "h", "2.2. Các biện pháp, giải pháp"),
    ("3. Chính trị tư tưởng", "h", "3. Chính trị tư tưởng"),
    ("3.1. Mục tiêu, chỉ tiêu", "h", "3.1. Mục tiêu, chỉ tiêu"),
    ("3.1: công tác chính trị, tư tưởng", "h", "Công tác chính trị, tư tưởng"),
    ("3.1: quản lý học sinh", "h", "Công tác quản lý học sinh"),
    ("3.1: giáo dục dân tộc", "h", "Công tác giáo dục dân tộc"),
    ("3.1: thể chất và thể thao", "h", "Công tác giáo dục thể chất và thể thao trường học"),
    ("3.1: GDQP và quân sự địa phương", "h", "Công tác GDQP và quân sự địa phương"),
    ("3.1: y tế trường học", "h", "Công tác y tế trường học"),
    ("3.2. Các biện pháp, giải pháp", "h", "3.2. Các biện pháp, giải pháp"),
    ("4. Quản lý chất lượng giáo dục", "h", "4. Quản lý chất lượng giáo dục"),
    ("4.1. Mục tiêu, chỉ tiêu", "h", "4.1. Mục tiêu, chỉ tiêu"),
    ("4.3. Các biện pháp, giải pháp", "h", "4.2. Các biện pháp, giải pháp"),
    ("5. Thanh tra, kiểm tra", "h", "5. Thanh tra, kiểm tra"),
    ("5.1. Mục tiêu, chỉ tiêu", "h", "5.1. Mục tiêu, chỉ tiêu"),
    ("5.2. Các biện pháp, giải pháp", "h", "5.2. Các biện pháp, giải pháp"),
    ("6. Tổ chức cán bộ", "h", "6. Tổ chức cán bộ"),
    ("6.1. Mục tiêu, chỉ tiêu (đội ngũ 1,5 GV/lớp)", "h", "6.1. Mục tiêu, chỉ tiêu"),
    ("Đội ngũ năm kế hoạch theo định mức", "t", "Nhu cầu giáo viên, cán bộ quản lý năm học 2023-2024"),
    ("6.2. Các biện pháp, giải pháp", "h", "6.2. Các biện pháp, giải pháp"),
    ("7. Tài chính, CNTT và chuyển đổi số", "h", "7. Kế hoạch tài chính"),
    ("7.1. Mục tiêu, chỉ tiêu", "h", "7.1. Mục tiêu, chỉ tiêu"),
    ("Nhu cầu cơ sở vật chất", "t", "Nhu cầu phòng học, phòng chức năng năm học 2023-2024"),
    ("7.1: công tác tài chính", "h", "Công tác tài chính"),
    ("7.1: thống kê, kế hoạch", "h", "Công tác thống kê, kế hoạch"),
    ("7.1: cơ sở vật chất, trang thiết bị", "h", "Tăng cường cơ sở vật chất, trang thiết bị"),
    ("7.1: xã hội hóa", "h", "Huy động xã hội hóa giáo dục"),
    ("7.1: CNTT và chuyển đổi số", "h", "Công nghệ thông tin và chuyển đổi số"),
    ("7.2. Các biện pháp, giải pháp", "h", "7.2. Các biện pháp, giải pháp"),
    ("8. Công tác Văn phòng", "h", "8. Công tác văn phòng"),
    ("8.1. Mục tiêu, chỉ tiêu", "h", "8.1. Mục tiêu, chỉ tiêu"),
    ("8.1.1. Thi đua, khen thưởng", "h", "8.1.1. Công tác thi đua, khen thưởng"),
    ("8.1.2. Công tác Đảng", "h", "8.1.2. Công tác Đảng trong trường học"),
    ("8.1.3. Thư viện", "h", "8.1.3. Công tác thư viện trường học"),
    ("8.2. Các biện pháp, giải pháp", "h", "8.2. Các biện pháp, giải pháp"),
    ("9. Công tác Công đoàn", "h", "9. Công tác Công đoàn"),
    ("9.1. Mục tiêu, chỉ tiêu", "h", "9.1. Mục tiêu, chỉ tiêu"),
    ("9.2. Các biện pháp, giải pháp", "h", "9.2. Các biện pháp, giải pháp"),
    ("Tổ chức thực hiện", "h", "C. TỔ CHỨC THỰC HIỆN"),
    ("Phần thứ ba: kiến nghị và đề xuất", "h", "Phần thứ ba KIẾN NGHỊ"),
    ("I. Đối với Ủy ban nhân dân các cấp", "h", "Đối với Ủy ban nhân dân các cấp"),
    ("II. Đối với Sở GD&ĐT, Bộ GD&ĐT", "h", "Đối với Sở GD&ĐT, Bộ GD&ĐT"),
    ("Trên đây là … Kính mong …", "p", "Kính mong cơ quan quản lý các cấp quan tâm"),
]

SEED001 = [
    ("Căn cứ xây dựng kế hoạch (TT 17/2018)", "p", "Căn cứ Thông tư số 17/2018/TT-BGDĐT"),
    ("Căn cứ tình hình thực tiễn nhà trường", "p", "Căn cứ tình hình thực tiễn của nhà trường"),
    ("Lead-in: Trường … xây dựng kế hoạch … như sau", "p", "Trường Tiểu học Quang Trung xây dựng Kế hoạch cải tiến chất lượng"),
    ("I. Đặc điểm tình hình nhà trường", "h", "I. ĐẶC ĐIỂM TÌNH HÌNH NHÀ TRƯỜNG"),
    ("1. Học sinh", "h", "1. Học sinh"),
    ("Bảng học sinh (tăng/giảm so với năm trước)", "t", "Học sinh năm học 2024-2025"),
    ("(So với năm học trước giảm 0 lớp/30HS)", "p", "So với năm học 2023-2024"),
    ("2. Đội ngũ CB, GV, NV", "h", "2. Đội ngũ cán bộ, giáo viên, nhân viên"),
    ("Đội ngũ: biên chế, hợp đồng", "t", "Đội ngũ cán bộ quản lý, giáo viên, nhân viên năm học 2024-2025"),
    ("Trình độ: chuẩn, chính trị, tin học, tiếng Anh, đảng viên", "t", "Trình độ đội ngũ năm học 2024-2025"),
    ("3. Những thuận lợi, khó khăn", "h", "3. Những thuận lợi, khó khăn"),
    ("* Thuận lợi", "h", "3.1. Thuận lợi"),
    ("* Khó khăn", "h", "3.2. Khó khăn"),
    ("III. Chỉ tiêu kết quả năm học 2024-2025", "h", "II. MỤC ĐÍCH VÀ CHỈ TIÊU"),
    ("2.2. Chất lượng học sinh giỏi, năng khiếu", "h", "Chất lượng học sinh giỏi, học sinh năng khiếu"),
    ("4. Công tác xây dựng thư viện, thiết bị", "h", "Công tác xây dựng thư viện, thiết bị"),
    ("5. Công tác thi đua khen thưởng", "h", "Công tác thi đua khen thưởng"),
    ("6. Đánh giá ưu điểm, tồn tại, nguyên nhân", "h", "III. ĐIỂM MẠNH, ĐIỂM YẾU VÀ NGUYÊN NHÂN"),
    ("6.1. Những ưu điểm", "h", "1. Điểm mạnh"),
    ("6.2. Những tồn tại hạn chế", "h", "2. Điểm yếu"),
    ("6.3. Nguyên nhân", "h", "3. Nguyên nhân"),
    ("Nguyên nhân khách quan", "h", "Nguyên nhân khách quan"),
    ("Nguyên nhân chủ quan", "h", "Nguyên nhân chủ quan"),
    ("IV. Nội dung thực hiện", "h", "IV. NỘI DUNG THỰC HIỆN"),
    ("Bảng nội dung cải tiến theo tiêu chí", "t", "Nội dung cải tiến theo tiêu chí"),
    ("V. Tổ chức thực hiện", "h", "V. TỔ CHỨC THỰC HIỆN"),
    ("1. Hội đồng tự đánh giá", "h", "1. Hội đồng tự đánh giá"),
    ("2. Các thành viên Hội đồng tự đánh giá", "h", "2. Các thành viên Hội đồng tự đánh giá"),
    ("3. Các tổ chuyên môn, các đoàn thể", "h", "3. Các tổ chuyên môn, các đoàn thể"),
    ("4. Cán bộ, giáo viên, nhân viên", "h", "4. Cán bộ, giáo viên, nhân viên"),
    ("Trên đây là … yêu cầu các tổ …", "p", "Yêu cầu các tổ, từng bộ phận"),
]

SEED002 = [
    ("Thực hiện Hướng dẫn số 1254/HD-PGDĐT", "p", "Thực hiện Hướng dẫn số 1254/HD-PGDĐT"),
    ("Lead-in: Trường TH Bình Phú xây dựng … như sau", "p", "Trường Tiểu học Bình Phú xây dựng Kế hoạch thực hiện giải pháp"),
    ("I. Mục đích yêu cầu", "h", "I. MỤC ĐÍCH, YÊU CẦU"),
    ("II. Mục tiêu (1–7)", "h", "II. MỤC TIÊU"),
    ("III. Nhiệm vụ, giải pháp", "h", "III. NHIỆM VỤ VÀ GIẢI PHÁP"),
    ("1. Xây dựng, củng cố nâng cao nhận thức trách nhiệm", "h", "1. Xây dựng, củng cố nâng cao nhận thức"),
    ("2. Nâng cao năng lực CBQLGD và đội ngũ GV", "h", "2. Nâng cao năng lực CBQLGD"),
    ("3. Tiếp tục đổi mới quản lý giáo dục", "h", "3. Tiếp tục đổi mới quản lý giáo dục"),
    ("4. Tăng cường và đổi mới công tác kiểm tra", "h", "4. Tăng cường và đổi mới công tác kiểm tra"),
    ("5. Thực hiện đồng bộ các nhiệm vụ chuyên môn", "h", "5. Thực hiện đồng bộ các nhiệm vụ chuyên môn"),
    ("6. Phối hợp với các đoàn thể, chính quyền", "h", "6. Phối hợp với các đoàn thể"),
    ("IV. Tổ chức thực hiện", "h", "IV. TỔ CHỨC THỰC HIỆN"),
    ("Trên đây là … Đề nghị toàn thể cán bộ, giáo viên …", "p", "Đề nghị toàn thể cán bộ, giáo viên nghiêm túc thực hiện"),
]

SEED003 = [
    ("Trên cơ sở kết quả đạt chuẩn mức độ 1 (căn cứ)", "p", "Căn cứ Quyết định số 2324/QĐ-UBND"),
    ("Lead-in", "p", "Trường Tiểu học Kim Khê xây dựng Kế hoạch xây dựng trường đạt chuẩn quốc gia"),
    ("I. Mục đích yêu cầu", "h", "I. MỤC ĐÍCH, YÊU CẦU"),
    ("1. Mục đích", "h", "1. Mục đích"),
    ("2. Yêu cầu", "h", "2. Yêu cầu"),
    ("II. Nội dung thực hiện", "h", "II. NỘI DUNG THỰC HIỆN"),
    ("1. Quán triệt văn bản và tham mưu, phối hợp", "h", "1. Công tác quán triệt văn bản"),
    ("2. Xây dựng và nâng cao chất lượng đội ngũ", "h", "2. Công tác xây dựng và nâng cao chất lượng đội ngũ"),
    ("3. Xây dựng cơ sở vật chất", "h", "3. Công tác xây dựng cơ sở vật chất"),
    ("4. Xã hội hoá giáo dục", "h", "4. Công tác xã hội hoá giáo dục"),
    ("5. Chất lượng hiệu quả giáo dục", "h", "5. Chất lượng hiệu quả giáo dục"),
    ("III. Các giải pháp thực hiện (1–12)", "h", "III. CÁC GIẢI PHÁP THỰC HIỆN"),
    ("IV. Phấn đấu kết quả theo 5 tiêu chuẩn", "h", "IV. PHẤN ĐẤU KẾT QUẢ ĐẠT ĐƯỢC THEO 5 TIÊU CHUẨN"),
    ("1. Chuẩn 1: Tổ chức và quản lý", "h", "1. Tiêu chuẩn 1: Tổ chức và quản lý"),
    ("2. Chuẩn 2: Đội ngũ giáo viên", "h", "2. Tiêu chuẩn 2"),
    ("3. Chuẩn 3: Cơ sở vật chất thiết bị", "h", "3. Tiêu chuẩn 3: Cơ sở vật chất"),
    ("a) Phòng học, phòng chức năng, thiết bị", "h", "a) Phòng học, phòng chức năng"),
    ("b. Phòng chức năng", "h", "b) Phòng chức năng"),
    ("c. Công trình phụ trợ", "h", "c) Công trình phụ trợ"),
    ("d. Cảnh quan, khuôn viên", "h", "d) Cảnh quan, khuôn viên"),
    ("e. Công tác thư viện", "h", "e) Công tác thư viện"),
    ("g. Tổ chức ăn bán trú", "h", "g) Tổ chức ăn bán trú"),
    ("Phòng: hiện có, theo chuẩn (TT 59/2012), cần bổ sung", "t", "Phòng học, phòng chức năng: hiện có, theo chuẩn"),
    ("Thiết bị: hiện có, cần bổ sung", "t", "Thiết bị: hiện có và cần bổ sung"),
    ("4. Tiêu chuẩn 4: Xã hội hoá giáo dục", "h", "4. Tiêu chuẩn 4"),
    ("a) Đại hội Giáo dục, Ban đại diện CMHS", "h", "a) Đại hội Giáo dục"),
    ("b) Gia đình và cộng đồng, môi trường giáo dục", "h", "b) Các hoạt động của gia đình và cộng đồng"),
    ("c) Gia đình và cộng đồng tăng cường CSVC", "h", "c) Sự tham gia của gia đình và cộng đồng"),
    ("5. Tiêu chuẩn 5: Chất lượng giáo dục", "h", "5. Tiêu chuẩn 5"),
    ("a) Chương trình, kế hoạch giáo dục", "h", "a) Thực hiện chương trình, kế hoạch giáo dục"),
    ("b) Đổi mới phương pháp, đánh giá", "h", "b) Thực hiện đổi mới phương pháp dạy học"),
    ("c) PCGD tiểu học, chống mù chữ", "h", "c) Thực hiện mục tiêu PCGD"),
    ("4. (d) Chất lượng và hiệu quả giáo dục", "h", "d) Chất lượng và hiệu quả giáo dục"),
    ("V. Tổ chức thực hiện", "h", "V. TỔ CHỨC THỰC HIỆN"),
    ("VI. Đề xuất, kiến nghị", "h", "VI. ĐỀ XUẤT, KIẾN NGHỊ"),
    ("Để kế hoạch trên thực hiện được, rất mong …", "p", "Để kế hoạch trên thực hiện được, rất mong"),
]

SEED004 = [
    ("Lead-in: Căn cứ … Trường … xây dựng kế hoạch", "p", "Trường THCS Thanh Trường xây dựng Kế hoạch"),
    ("B. Phần thứ hai: báo cáo thực trạng", "h", "Phần thứ nhất BÁO CÁO KẾT QUẢ THỰC HIỆN"),
    ("1. Tình hình kinh tế - văn hóa - xã hội của địa phương", "h", "Tình hình kinh tế - văn hóa - xã hội của địa phương"),
    ("a. Quy hoạch mạng lưới trường, lớp học", "h", "Quy mô, mạng lưới trường lớp, học sinh"),
    ("a: trường hạng III, đạt chuẩn quốc gia 6/2015", "p", "Trường hạng III, đạt chuẩn quốc gia tháng 6 năm 2015"),
    ("b. Quy mô học sinh (bảng theo khối)", "t", "Số lớp, số học sinh theo khối lớp"),
    ("e. Đội ngũ (năm học 2018-2019)", "h", "Đội ngũ cán bộ quản lý, giáo viên, nhân viên"),
    ("a: đội ngũ 2018-2019 (24 người)", "t", "Đội ngũ cán bộ quản lý, giáo viên, nhân viên năm học 2018-2019"),
    ("II: đội ngũ 2019-2020 (26 người)", "t", "Đội ngũ cán bộ quản lý, giáo viên, nhân viên năm học 2019-2020"),
    ("h. Thực trạng cơ sở vật chất", "h", "Cơ sở vật chất"),
    ("a/h: phòng học, phòng bộ môn", "t", "Phòng học, phòng chức năng năm học 2018-2019"),
    ("l. Công tác thông tin, truyền thông", "h", "Công tác thông tin, truyền thông"),
    ("f. Chính sách đối với học sinh, giáo viên", "h", "Tình hình thực hiện các chính sách"),
    ("g. Thu, chi ngân sách thường xuyên", "h", "Thu, chi ngân sách thường xuyên"),
    ("i. Chương trình mục tiêu quốc gia nông thôn mới", "h", "Chương trình mục tiêu quốc gia xây dựng nông thôn mới"),
    ("j. Nhiệm vụ chiến lược, quy hoạch, kế hoạch", "h", "Thực hiện nhiệm vụ chiến lược, quy hoạch, kế hoạch"),
    ("k. Kết quả thực hiện xã hội hóa giáo dục", "h", "Kết quả thực hiện xã hội hóa giáo dục"),
    ("2. / II. Tình hình thực hiện kế hoạch, ước thực hiện 2019-2020", "h", "KẾT QUẢ THỰC HIỆN NĂM HỌC 2019-2020"),
    ("a. Kế hoạch giao 8 lớp/252 HS, thực hiện 8 lớp/256 HS", "p", "Năm học 2018-2019 kế hoạch giao 08 lớp với 252 học sinh"),
    ("b. Học sinh lớp 6 tuyển mới", "p", "Số học sinh lớp 6 tuyển mới năm học 2018-2019"),
    ("c. Phân luồng học sinh; quyền tự chủ", "h", "Công tác phân luồng học sinh sau trung học cơ sở"),
    ("d. Chất lượng giáo dục", "h", "Giáo dục trung học cơ sở"),
    ("d: hạnh kiểm 2018-2019 (hiện hành)", "t", "Hạnh kiểm của học sinh năm học 2018-2019"),
    ("d: học lực 2018-2019 (hiện hành)", "t", "Học lực của học sinh năm học 2018-2019"),
    ("d: trường học mới 2018-2019", "t", "Năng lực, phẩm chất của học sinh năm học 2018-2019"),
    ("II: hạnh kiểm 2019-2020 (ước)", "t", "Hạnh kiểm của học sinh năm học 2019-2020 (ước thực hiện)"),
    ("II: học lực 2019-2020 (ước)", "t", "Học lực của học sinh năm học 2019-2020 (ước thực hiện)"),
    ("II: trường học mới 2019-2020 (ước)", "t", "Năng lực, phẩm chất của học sinh năm học 2019-2020 (ước thực hiện)"),
    ("n. Đánh giá chung: thành tựu", "h", "Những thành tựu, kết quả nổi bật"),
    ("n. Nguyên nhân, bài học kinh nghiệm", "h", "Nguyên nhân của thành tựu, hạn chế"),
    ("III. Kế hoạch năm 2020 (năm học 2020-2021)", "h", "Phần thứ hai KẾ HOẠCH PHÁT TRIỂN GIÁO DỤC NĂM HỌC 2020-2021"),
    ("1. Các căn cứ xây dựng kế hoạch", "h", "CƠ SỞ PHÁP LÝ"),
    ("2./3. Mục tiêu, chỉ tiêu, nhiệm vụ", "h", "NỘI DUNG KẾ HOẠCH"),
    ("3.1. Quy hoạch mạng lưới cơ sở giáo dục", "h", "1. Quy hoạch mạng lưới cơ sở giáo dục"),
    ("2.2: quy mô học sinh 8 lớp = 240 HS", "t", "Quy mô trường, lớp, học sinh năm học 2020-2021"),
    ("3.5. Công tác PCGD; phân luồng", "h", "Công tác PCGD; công tác phân luồng"),
    ("3.2. Nâng cao chất lượng giáo dục đào tạo", "h", "2. Nâng cao chất lượng giáo dục đào tạo"),
    ("2.2: chất lượng theo trường học mới 2020-2021", "t", "năm học 2020-2021 (kế hoạch)"),
    ("3.6. Kế hoạch của tỉnh, ngành; ngoại ngữ", "h", "Thực hiện kế hoạch của tỉnh, ngành và nâng cao chất lượng dạy học ngoại ngữ"),
    ("3.3. Đội ngũ nhà giáo và cán bộ quản lý", "h", "3. Xây dựng và phát triển đội ngũ nhà giáo"),
    ("2.2: đội ngũ năm kế hoạch theo định mức", "t", "Nhu cầu giáo viên, cán bộ quản lý năm học 2020-2021"),
    ("3.4. Cơ sở vật chất, trang thiết bị", "h", "4. Tăng cường cơ sở vật chất"),
    ("2.2: cơ sở vật chất cần 21 phòng", "t", "Nhu cầu phòng học, phòng chức năng năm học 2020-2021"),
    ("3.7. Xã hội hóa giáo dục và đào tạo", "h", "Công tác xã hội hóa giáo dục và đào tạo"),
    ("3.8. Thông tin, truyền thông", "h", "Công tác thông tin, truyền thông"),
    ("3.9. Chế độ, chính sách", "h", "Thực hiện các chế độ, chính sách"),
    ("4. Dự toán thu, chi ngân sách", "h", "Dự toán thu, chi ngân sách"),
    ("5. Các giải pháp thực hiện kế hoạch", "h", "giải pháp thực hiện kế hoạch"),
    ("Tổ chức thực hiện", "h", "TỔ CHỨC THỰC HIỆN"),
    ("6. Đề xuất, kiến nghị", "h", "Phần thứ ba KIẾN NGHỊ, ĐỀ XUẤT"),
    ("Trên đây là … xem xét phê duyệt", "p", "xem xét phê duyệt của UBND phường Thanh Trường"),
]

CASES = {
    "seed000": (DEV, SEED000),
    "seed001": ("ke_hoach_cai_tien_chat_luong", SEED001),
    "seed002": ("ke_hoach_giai_phap_nang_cao_chat_luong", SEED002),
    "seed003": ("ke_hoach_xay_dung_truong_chuan", SEED003),
    "seed004": (DEV, SEED004),
}


@pytest.mark.parametrize("school", sorted(CASES))
def test_seed_structure_is_fully_covered(school):
    kind, items = CASES[school]
    doc = build_report(str(SEEDS), school, kind).document
    share, missing = coverage(doc, items)
    assert missing == [], f"{school}: {share:.0%} of {len(items)} seed items; missing: {missing}"


def test_coverage_counts_a_missing_item_and_the_order():
    doc = build_report(str(SEEDS), "seed002", "ke_hoach_giai_phap_nang_cao_chat_luong").document
    assert coverage(doc, [("x", "h", "I. MỤC ĐÍCH"), ("y", "h", "IV. TỔ CHỨC")]) == (1.0, [])
    assert coverage(doc, [("y", "h", "IV. TỔ CHỨC"), ("x", "h", "I. MỤC ĐÍCH")]) == (0.5, ["x"])
    assert coverage(doc, [("z", "t", "không có bảng này")])[1] == ["z"]


def _table(doc, caption: str) -> Table:
    return next(b for b in walk(doc.blocks) if isinstance(b, Table) and caption in b.caption)


def test_new_tables_are_computed_from_the_data():
    d1 = build_report(str(SEEDS), "seed001", "ke_hoach_cai_tien_chat_luong").document
    rows = _table(d1, "Học sinh năm học").rows
    assert rows[2][-2:] == ["-1", "-24"] and rows[-1][-2:] == ["0", "-30"]  # as the seed states
    qual = {r[0]: r[1:] for r in _table(d1, "Trình độ đội ngũ").rows}
    assert qual["Đạt yêu cầu trình độ tin học"] == ["52", "98,1%"] and qual["Đảng viên"] == ["35", "51,5%"]
    d3 = build_report(str(SEEDS), "seed003", "ke_hoach_xay_dung_truong_chuan").document
    rooms = _table(d3, "Phòng học, phòng chức năng: hiện có")
    assert "Thông tư 59/2012/TT-BGDĐT" in rooms.notes[0]  # a 2017 plan: the list in force then
    labels = [r[0] for r in rooms.rows]
    assert labels[:3] == ["Phòng học", "Phòng bộ môn Tin học", "Phòng bộ môn Ngoại ngữ"]  # regulation order
    d4 = build_report(str(SEEDS), "seed004").document
    need = _table(d4, "Nhu cầu giáo viên").rows
    assert need[0] == ["Giáo viên", "16", "15", "+1"]  # 8 classes × 1,90 = 15
    d0 = build_report(str(SEEDS), "seed000").document
    year_end = _table(d0, "Chất lượng giáo dục cuối năm")
    assert year_end.rows[0][:3] == ["Khối 1", "102", "—"]  # outcomes not reported: never 0
